import pytest

from articles.sanitize import sanitize_html
from tests.factories import ArticleFactory

HOSTILE = [
    ("<p>ok</p><script>alert(1)</script>", "<script"),
    ('<p onclick="steal()">ok</p>', "onclick"),
    ('<img src="x.jpg" onerror="alert(1)" alt="a">', "onerror"),
    ('<a href="javascript:alert(1)">link</a>', "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">link</a>', "alert"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="a">', "data:"),
    ('<iframe src="https://evil.example/"></iframe><p>ok</p>', "<iframe"),
    ('<p style="background:url(javascript:x)">ok</p>', "style"),
    ("<style>body{display:none}</style><p>ok</p>", "display:none"),
    ("<svg><script>alert(1)</script></svg>", "<svg"),
    ('<object data="evil.swf"></object>', "<object"),
    ('<form action="https://evil.example/"><input name="q"></form>', "<form"),
    ("<p><!-- <script>x</script> -->ok</p>", "<!--"),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', "javascript:"),
    ('<base href="https://evil.example/">', "<base"),
]


@pytest.mark.parametrize(("html", "forbidden"), HOSTILE)
def test_hostile_markup_is_removed(html, forbidden):
    assert forbidden.lower() not in sanitize_html(html).lower()


@pytest.mark.parametrize(
    "html",
    [
        "<h2>Итоги</h2>",
        "<h3>Подробности</h3>",
        "<p><strong>жирный</strong> и <em>курсив</em></p>",
        "<ul><li>один</li></ul>",
        "<ol><li>первый</li></ol>",
        "<blockquote><p>Цитата</p></blockquote>",
        '<table><tbody><tr><th scope="col">Район</th><td colspan="2">12</td></tr></tbody></table>',
        '<img src="/media/uploads/2026/photo.jpg" alt="Форум в Петропавловске">',
    ],
)
def test_formatting_survives(html):
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    ("html", "cleaned"),
    [
        ('<img src="/a.jpg" alt="" width="100%" height=" 40 ">', '<img src="/a.jpg" alt="" height="40">'),
        ('<ol start="три"><li>a</li></ol><ol start="-2"><li>b</li></ol>',
         '<ol><li>a</li></ol><ol start="-2"><li>b</li></ol>'),
        ('<table><tr><td colspan="0" rowspan="x">a</td><td colspan="2" rowspan="0">b</td></tr></table>',
         '<table><tbody><tr><td>a</td><td colspan="2" rowspan="0">b</td></tr></tbody></table>'),
        ('<table><tr><th colspan="1001" rowspan="65535" scope="left">a</th><th scope="row">b</th></tr></table>',
         '<table><tbody><tr><th>a</th><th scope="row">b</th></tr></tbody></table>'),
    ],
)  # fmt: skip
def test_values_html_does_not_allow_are_dropped(html, cleaned):
    assert sanitize_html(html) == cleaned


def test_a_pasted_bookmark_is_no_link():
    """HTML allows rel only on a link with an address; a word processor's bookmark has none."""
    assert sanitize_html('<p><a name="_GoBack"></a>Текст <a title="Сноска">1</a></p>') == (
        '<p><a></a>Текст <a title="Сноска">1</a></p>'
    )


def test_a_phone_number_link_loses_its_spaces():
    cleaned = sanitize_html('<a href="tel:+7 (7152) 46-12-00">46-12-00</a>')
    assert cleaned == '<a href="tel:+7(7152)46-12-00" rel="noopener noreferrer">46-12-00</a>'


def test_links_keep_href_and_get_safe_rel():
    cleaned = sanitize_html('<a href="https://amanatpartiasy.kz/">сайт</a>')
    assert 'href="https://amanatpartiasy.kz/"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


@pytest.mark.django_db
def test_body_is_sanitised_on_every_save():
    article = ArticleFactory(body='<p onmouseover="x()">Текст</p><script>alert(1)</script>')
    article.refresh_from_db()
    assert article.body == "<p>Текст</p>"
    article.body = '<p>Новый</p><iframe src="https://evil.example/"></iframe>'
    article.save()
    article.refresh_from_db()
    assert article.body == "<p>Новый</p>"
