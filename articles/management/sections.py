"""The sections of the demo site and of the benchmark's databases."""

from articles.models import Section

SECTIONS = [
    # name, name in Kazakh, slug
    ("Новости", "Жаңалықтар", "novosti"),
    ("Политика", "Саясат", "politika"),
    ("Общество", "Қоғам", "obshchestvo"),
    ("Экономика", "Экономика", "ekonomika"),
    ("Культура", "Мәдениет", "kultura"),
    ("Спорт", "Спорт", "sport"),
    ("Происшествия", "Оқиғалар", "proisshestviya"),
]


def ensure_sections():
    """Create the sections that are missing; one that exists keeps its name and order as an editor left them."""
    for order, (name, name_kk, slug) in enumerate(SECTIONS):
        Section.objects.get_or_create(slug=slug, defaults={"name": name, "name_kk": name_kk, "order": order})
