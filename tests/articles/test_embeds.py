"""Embeds without third-party code (articles/embeds.py): a paragraph that is only a link to YouTube, Telegram,
Instagram, VK or TikTok is stored as provider + id and shown as a placeholder that loads nothing from the provider
until the reader asks; every other link stays a link, and nothing a journalist pastes makes an embed of its own."""

from types import SimpleNamespace
from urllib.parse import urlsplit

import html5lib
import pytest
from django.template import engines
from lxml import etree

from articles import embeds, story_parts
from articles.models import StoryPart
from articles.sanitize import sanitize_html
from newsroom.middleware import ADMIN_CSP, PUBLIC_CSP
from tests.articles.test_story_parts import new_process, render_queued, tamper_with_stored_body
from tests.factories import ArticleFactory
from tests.pages import get_page, parse

VIDEO = "dQw4w9WgXcQ"
PROVIDER_HOSTS = ("youtube", "youtu.be", "t.me", "telegram", "instagram", "vk.com", "vkvideo", "tiktok")
FRAME_ORIGINS = {
    "https://www.youtube-nocookie.com",
    "https://t.me",
    "https://www.instagram.com",
    "https://vk.com",
    "https://www.tiktok.com",
}

ADDRESSES = [
    (f"https://www.youtube.com/watch?v={VIDEO}", "youtube", VIDEO),
    (f"https://www.youtube.com/watch?v={VIDEO}&t=42s", "youtube", VIDEO),
    (f"https://youtube.com/watch?feature=share&v={VIDEO}", "youtube", VIDEO),
    (f"http://m.youtube.com/watch?v={VIDEO}", "youtube", VIDEO),
    (f"https://youtu.be/{VIDEO}", "youtube", VIDEO),
    (f"https://youtu.be/{VIDEO}?si=Xk3_a-Pq&t=10", "youtube", VIDEO),
    (f"https://www.youtube.com/shorts/{VIDEO}", "youtube", VIDEO),
    (f"https://www.youtube.com/live/{VIDEO}?feature=shared", "youtube", VIDEO),
    (f"https://www.youtube.com/embed/{VIDEO}", "youtube", VIDEO),
    ("https://t.me/sko_news/4521", "telegram", "sko_news/4521"),
    ("https://t.me/s/sko_news/4521", "telegram", "sko_news/4521"),
    ("https://telegram.me/sko_news/4521?single", "telegram", "sko_news/4521"),
    ("https://www.instagram.com/p/C9xYz_1AbCd/", "instagram", "C9xYz_1AbCd"),
    ("https://www.instagram.com/reel/C9xYz_1AbCd/?igsh=MWQ1ZGUxMzBkMA==", "instagram", "C9xYz_1AbCd"),
    ("https://instagram.com/akimat_sko/p/C9xYz_1AbCd", "instagram", "C9xYz_1AbCd"),
    ("https://vk.com/video-22822305_456242110", "vk", "-22822305_456242110"),
    ("https://vkvideo.ru/video-22822305_456242110", "vk", "-22822305_456242110"),
    ("https://m.vk.com/video1234_5678", "vk", "1234_5678"),
    ("https://vk.com/video?z=video-22822305_456242110%2Fpl_cat_trends", "vk", "-22822305_456242110"),
    ("https://www.tiktok.com/@akimat.sko/video/7301234567890123456", "tiktok", "@akimat.sko/video/7301234567890123456"),
    ("https://www.tiktok.com/@akimat.sko/video/7301234567890123456?is_from_webapp=1", "tiktok",
     "@akimat.sko/video/7301234567890123456"),
]  # fmt: skip

NOT_EMBEDS = [
    "https://www.youtube.com/channel/UC1234567890",
    "https://www.youtube.com/watch?v=short",
    f"https://www.youtube.com.evil.example/watch?v={VIDEO}",
    f"https://evil.example/?next=https://youtu.be/{VIDEO}",
    f"https://youtu.be/{VIDEO}extra",
    "https://t.me/c/1234567/45",  # a private channel: nothing to embed
    "https://t.me/sko_news",
    "https://www.instagram.com/akimat_sko/",
    "https://vk.com/club22822305",
    "https://www.tiktok.com/@akimat.sko",
    "https://vm.tiktok.com/ZMabc123/",
    "https://example.kz/news/forum/",
    "ftp://youtu.be/dQw4w9WgXcQ",
]


@pytest.mark.parametrize(("url", "provider", "embed_id"), ADDRESSES)
def test_each_providers_addresses_give_the_provider_and_the_id(url, provider, embed_id):
    assert embeds.find(url) == (provider, embed_id)
    stored = sanitize_html(f'<p><a href="{url.replace("&", "&amp;")}">{url.replace("&", "&amp;")}</a></p>')
    assert stored.startswith(f'<figure class="embed" data-embed-provider="{provider}" data-embed-id="{embed_id}">')
    assert sanitize_html(stored) == stored  # every save sanitises again: the marker stays as it is
    assert sanitize_html(f"<p>{url.replace('&', '&amp;')}</p>") == stored  # a bare address, as typed


@pytest.mark.parametrize("url", NOT_EMBEDS)
def test_unknown_links_stay_links(url):
    assert embeds.find(url) is None
    html = f'<p><a href="{url}">ссылка</a></p>'
    assert "embed" not in sanitize_html(html) and "ссылка</a></p>" in sanitize_html(html)


@pytest.mark.parametrize(
    "html",
    [
        f'<p>Смотрите <a href="https://youtu.be/{VIDEO}">запись форума</a> на канале акимата.</p>',
        f'<p><a href="https://youtu.be/{VIDEO}">раз</a> <a href="https://youtu.be/{VIDEO}">два</a></p>',
        f'<p><a href="https://youtu.be/{VIDEO}"><img src="/media/kadr.jpg" alt="Кадр"></a></p>',
        f"<ul><li>https://youtu.be/{VIDEO}</li></ul>",
        f"<p>Запись: https://youtu.be/{VIDEO}</p>",
    ],
)
def test_a_provider_link_among_other_content_stays_a_link(html):
    assert "data-embed" not in sanitize_html(html)


def test_the_links_own_words_are_kept_as_plain_text_and_tracking_is_dropped():
    stored = sanitize_html(f'<p><a href="https://youtu.be/{VIDEO}?si=track"><b>Запись</b> форума &amp; встречи</a></p>')
    assert stored == (
        f'<figure class="embed" data-embed-provider="youtube" data-embed-id="{VIDEO}">'
        f'<a href="https://www.youtube.com/watch?v={VIDEO}" rel="noopener noreferrer">Запись форума &amp; встречи</a>'
        "</figure>"
    )


CRAFTED = [
    # a marker naming a provider and an id of the attacker's choosing: made again from the link, or not at all
    '<figure class="embed" data-embed-provider="evil" data-embed-id="x"><a href="https://example.kz/">x</a></figure>',
    '<figure class="embed" data-embed-provider="youtube" '
    'data-embed-id="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"><a href="https://example.kz/">x</a></figure>',
    '<p data-embed-provider="youtube" data-embed-id="dQw4w9WgXcQ" data-embed-frame="https://evil.example/">текст</p>',
    '<div class="embed" data-embed-frame="https://evil.example/"><p>текст</p></div>',
    f'<iframe src="https://www.youtube.com/embed/{VIDEO}"></iframe><p>текст</p>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<p><a href="https://youtu.be/dQw4w9WgXcQ?x=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">x</a></p>',
    '<script src="https://telegram.org/js/telegram-widget.js" data-telegram-post="sko_news/1"></script>',
    '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/C9xYz_1AbCd/">'
    '<p>пост</p></blockquote><script async src="//www.instagram.com/embed.js"></script>',
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("html", CRAFTED)
def test_crafted_embed_markup_from_a_journalist_is_neutralised(html, client):
    story = ArticleFactory(published=True, body=html)
    story.refresh_from_db()
    assert "<iframe" not in story.body and "<script" not in story.body and "evil" not in story.body
    for found in embeds.MARKER.finditer(story.body):
        assert found.group("provider", "id") == ("youtube", VIDEO)  # only ever made from a real link
    body = article_element(get_page(client, story.get_absolute_url()))
    assert "<iframe" not in body and "<script" not in body and "evil" not in body and "alert(1)<" not in body
    assert "instagram.com/embed.js" not in body and "telegram-widget" not in body


def test_a_marker_written_into_the_database_past_the_sanitiser_shows_no_frame_of_its_choosing():
    forged = (
        '<figure class="embed" data-embed-provider="youtube" data-embed-id="x&quot; onclick=&quot;alert(1)">'
        '<a href="https://evil.example/" rel="noopener noreferrer">смотреть</a></figure>'
    )
    shown = embeds.placeholders(forged)
    assert shown == "<p>смотреть</p>"
    assert "data-embed-frame" not in embeds.placeholders(forged.replace('"youtube"', '"evil"'))


def article_element(page):
    return page[page.index("<article") : page.index("</article>")]


@pytest.fixture
def embedded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(
            published=True,
            title="Форум в Петропавловске: видеозапись",
            body=(
                "<p>Форум прошёл в Петропавловске.</p>"
                f'<p><a href="https://youtu.be/{VIDEO}?si=abc">https://youtu.be/{VIDEO}?si=abc</a></p>'
                "<p>https://t.me/sko_news/4521</p>"
                '<p>Подробнее на <a href="https://example.kz/forum">сайте форума</a>.</p>'
            ),
        )
    render_queued()
    return story


@pytest.mark.django_db
def test_the_page_shows_a_placeholder_with_the_providers_name_the_link_and_a_button(client, embedded):
    page = get_page(client, embedded.get_absolute_url())
    html5lib.HTMLParser(strict=True).parse(page)
    tree = parse(page)
    figures = [f for f in tree.iter("figure") if "embed" in f.get("class", "").split()]
    assert [f.find("figcaption").text for f in figures] == ["Видео YouTube", "Пост в Telegram"]
    youtube, telegram = figures
    assert youtube.get("data-embed-frame") == f"https://www.youtube-nocookie.com/embed/{VIDEO}"
    assert telegram.get("data-embed-frame") == "https://t.me/sko_news/4521?embed=1"
    assert youtube.find(".//a").get("href") == f"https://www.youtube.com/watch?v={VIDEO}"  # works without JavaScript
    button = youtube.find(".//button")
    assert button.get("type") == "button" and "".join(button.itertext()) == "Загрузить Видео YouTube"
    assert '<a href="https://example.kz/forum" rel="noopener noreferrer">сайте форума</a>' in page
    assert 'src="/static/js/embeds.js"' in page or "/static/js/embeds." in page


@pytest.mark.django_db
def test_nothing_on_the_page_loads_from_a_provider_before_the_click(client, embedded):
    tree = parse(get_page(client, embedded.get_absolute_url()))
    assert not list(tree.iter("iframe")) and not list(tree.iter("embed")) and not list(tree.iter("object"))
    for element in tree.iter():
        for name in ("src", "srcset", "poster", "data", "href", "action", "formaction"):
            value = element.get(name, "")
            if not any(host in value for host in PROVIDER_HOSTS):
                continue
            # the only address of a provider a reader's browser sees is the fallback link, followed on a click
            assert element.tag == "a" and name == "href", (element.tag, name, value)
    for script in tree.iter("script"):
        assert urlsplit(script.get("src", "")).netloc == "", script.get("src")


@pytest.mark.django_db
def test_a_kazakh_story_names_the_provider_in_kazakh(client):
    story = ArticleFactory(published=True, language="kk", body=f"<p>https://youtu.be/{VIDEO}</p>")
    page = get_page(client, story.get_absolute_url())
    assert "YouTube бейнесі" in page and "Жүктеу" in page and "Загрузить" not in page


@pytest.mark.django_db
def test_the_csp_allows_exactly_the_providers_frames(client, embedded):
    def frame_sources(csp):
        directives = dict(directive.strip().partition(" ")[::2] for directive in csp.split(";"))
        return set(directives["frame-src"].split())

    assert set(embeds.FRAME_ORIGINS) == FRAME_ORIGINS
    response = client.get(embedded.get_absolute_url())
    assert frame_sources(response["Content-Security-Policy"]) == FRAME_ORIGINS
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert frame_sources(PUBLIC_CSP) == FRAME_ORIGINS
    assert frame_sources(ADMIN_CSP) == FRAME_ORIGINS | {"'self'"}  # a story's preview shows its embeds too
    for embed in embeds.PROVIDERS.values():
        frame = urlsplit(embed.frame)
        assert f"{frame.scheme}://{frame.netloc}" in FRAME_ORIGINS


@pytest.mark.django_db
def test_aggregators_and_the_rss_feed_get_a_plain_link_to_the_original(client, embedded):
    full = etree.fromstring(client.get("/feed/full/").content)
    item = full.find("channel/item")
    html = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert (
        f'<p><a href="https://www.youtube.com/watch?v={VIDEO}">https://www.youtube.com/watch?v={VIDEO}</a></p>' in html
    )
    assert '<p><a href="https://t.me/sko_news/4521">https://t.me/sko_news/4521</a></p>' in html
    assert "figure" not in html and "data-embed" not in html and "nocookie" not in html
    assert "https://t.me/sko_news/4521" in item.findtext("{http://news.yandex.ru}full-text")
    rss = client.get("/feed/").content.decode()
    assert embedded.title in rss and "data-embed" not in rss and "<figure" not in rss


@pytest.mark.django_db
def test_the_stored_part_shows_the_placeholder_and_follows_a_changed_embed(
    client, embedded, django_capture_on_commit_callbacks
):
    part = StoryPart.objects.get(article=embedded)
    assert f'data-embed-frame="https://www.youtube-nocookie.com/embed/{VIDEO}"' in part.body
    tamper_with_stored_body(embedded, "stored-part-used")
    assert "stored-part-used" in get_page(client, embedded.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        embedded.body = embedded.body.replace(VIDEO, "9bZkp7q19f0")
        embedded.save()
    page = get_page(client, embedded.get_absolute_url())  # before the worker ran
    assert "stored-part-used" not in page and "youtube-nocookie.com/embed/9bZkp7q19f0" in page
    render_queued()
    assert "youtube-nocookie.com/embed/9bZkp7q19f0" in StoryPart.objects.get(article=embedded).body


@pytest.mark.django_db
def test_a_new_placeholder_template_makes_stored_parts_stale(client, embedded, monkeypatch):
    tamper_with_stored_body(embedded, "stored-part-used")
    engine = engines["django"].engine
    get_template = engine.get_template

    def changed_embed_template(name):
        template = get_template(name)
        if name == "includes/embed.html":
            return SimpleNamespace(source=template.source + "<!-- changed -->")
        return template

    monkeypatch.setattr(story_parts, "_code_version", None)
    with monkeypatch.context() as deploy:  # a deploy with another placeholder template: the code's version is read anew
        deploy.setattr(engine, "get_template", changed_embed_template)
        story_parts.code_version()
    new_process()
    assert "stored-part-used" not in get_page(client, embedded.get_absolute_url())
