"""The words generated benchmark articles use (people, positions, projects, tags), and the pool composing them."""

import random

from articles.management.bench_templates import GENERAL, KAZAKH_SENTENCES, KAZAKH_TITLES, LEADS, QUOTES, TOPICS

PEOPLE = [
    "Айгуль Касымова", "Сергей Петренко", "Бауыржан Жумабаев", "Елена Ковальчук", "Нурлан Сейткали",
    "Гульнара Ибраева", "Андрей Морозов", "Жанар Тулегенова", "Марат Искаков", "Ольга Белова",
    "Ержан Калиев", "Динара Абенова", "Асхат Нургалиев", "Татьяна Гринько", "Самат Оспанов",
    "Мадина Ержанова", "Виктор Шевченко", "Алия Бекмуханова", "Дмитрий Колесников", "Канат Мусин",
]  # fmt: skip

POSITIONS = [
    "аким района", "заместитель акима области", "руководитель управления сельского хозяйства",
    "председатель районного филиала партии «AMANAT»", "депутат областного маслихата",
    "руководитель управления образования", "главный врач районной больницы", "директор школы",
    "начальник департамента полиции", "руководитель управления энергетики и ЖКХ",
    "председатель общественного совета", "директор областного музея", "тренер сборной области",
    "руководитель палаты предпринимателей", "секретарь первичной партийной организации",
]  # fmt: skip

PROJECTS = ["«Ауыл аманаты»", "«Қарызсыз қоғам»", "«Бақытты отбасы»", "«Ұлттық мұра»", "«Кедергісіз келешек»"]

TAG_STEMS = [
    "сельское хозяйство", "посевная", "уборочная", "дороги", "ЖКХ", "отопление", "газификация", "водоснабжение",
    "образование", "школы", "здравоохранение", "больницы", "AMANAT", "маслихат", "обращения граждан",
    "культура", "театр", "музей", "спорт", "футбол", "волейбол", "борьба", "происшествия", "пожар", "ДТП",
    "мошенничество", "малый бизнес", "инвестиции", "занятость", "экология", "паводок", "транспорт", "молодёжь",
    "волонтёры", "семья", "пенсионеры", "инклюзия", "туризм", "строительство", "жильё",
]  # fmt: skip

TAG_QUALIFIERS = [
    "", "2024", "2025", "итоги года", "село", "город", "север", "регион", "бюджет", "контроль", "проекты",
    "реформа",
]  # fmt: skip

SEARCH_QUERIES = [
    "ремонт дорог",
    "отопительный сезон",
    "урожай пшеницы",
    "AMANAT",
    "мошенники",
    "новая школа",
    "субсидии фермерам",
    "Ауыл аманаты",
    "водопровод село",
    "стадион",
]


def tag_names(count=500):
    """Return `count` distinct tag names made of a stem and a qualifier."""
    names = [f"{stem} {qualifier}".strip() for qualifier in TAG_QUALIFIERS for stem in TAG_STEMS]
    return names[:count]


class SentencePool:
    """Sentences with their numbers filled in, and everything needed to compose an article from them."""

    def __init__(self, rng: random.Random, variants=8):
        self.rng = rng
        self.topics = {
            name: {
                "section": topic["section"],
                "titles": self.render(topic["titles"], variants),
                "sentences": self.render(topic["sentences"] + GENERAL, variants),
            }
            for name, topic in TOPICS.items()
        }
        self.topic_names = list(self.topics)
        self.quotes = self.render(QUOTES, variants * 3)
        self.leads = self.render(LEADS, variants)
        self.kazakh_titles = self.render(KAZAKH_TITLES, variants)
        self.kazakh_sentences = self.render(KAZAKH_SENTENCES, variants)

    def render(self, templates, variants):
        """Fill the numbers, people and projects of each template `variants` times; keep {city} and {place}."""
        rng = self.rng
        rendered = []
        for template in templates:
            for _ in range(variants):
                rendered.append(
                    template.format(
                        city="{city}",
                        place="{place}",
                        num=rng.randint(12, 480),
                        small=rng.randint(2, 40),
                        small2=rng.randint(0, 9),
                        big=f"{rng.randint(1_000, 60_000):,}".replace(",", " "),
                        pct=rng.randint(5, 95),
                        money=rng.choice([12, 48, 75, 120, 240, 356, 512, 870, 1_250]),
                        year=rng.choice([2025, 2026, 2027, 2029]),
                        person=rng.choice(PEOPLE),
                        position=rng.choice(POSITIONS),
                        project=rng.choice(PROJECTS),
                    )
                )
        return rendered

    def article(self, language, city, place, target_length=3_500):
        """Return (topic, title, lead, body) of one article of about `target_length` characters of body."""
        rng = self.rng
        if language == "kk":
            topic = rng.choice(self.topic_names)
            title = rng.choice(self.kazakh_titles)
            sentences, lead = self.kazakh_sentences, rng.choice(self.kazakh_sentences)
        else:
            topic = rng.choice(self.topic_names)
            title = rng.choice(self.topics[topic]["titles"])
            sentences, lead = self.topics[topic]["sentences"], rng.choice(self.leads)
        paragraphs, length = [], 0
        quote_at = rng.randint(1, 3)
        while length < target_length:
            if len(paragraphs) == quote_at and language == "ru":
                text = rng.choice(self.quotes)
            else:
                text = " ".join(rng.sample(sentences, rng.randint(3, 5)))
            paragraphs.append(f"<p>{text}</p>")
            length += len(text) + 7
        body = "".join(paragraphs)
        fill = {"{city}": city, "{place}": place}
        for key, value in fill.items():
            title, lead, body = title.replace(key, value), lead.replace(key, value), body.replace(key, value)
        return topic, title, lead, body
