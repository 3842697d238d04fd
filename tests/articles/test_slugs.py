import pytest

from articles import workflow
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_russian_title_is_transliterated_to_ascii():
    article = ArticleFactory(title="Форум первичных организаций в Петропавловске")
    assert article.slug == "forum-pervichnykh-organizatsii-v-petropavlovske"
    assert article.slug.isascii()


def test_kazakh_letters_are_transliterated():
    article = ArticleFactory(title="Ауыл аманаты: Қызылжар ауданында жаңа өңір үйі ашылды")
    assert article.slug.isascii()
    assert article.slug.startswith("auyl-amanaty-")
    for letter in "әғқңөұүһі":
        assert letter not in article.slug


def test_clashing_titles_get_numbered_slugs():
    first = ArticleFactory(title="Погода в Петропавловске")
    second = ArticleFactory(title="Погода в Петропавловске")
    third = ArticleFactory(title="Погода в Петропавловске")
    assert [first.slug, second.slug, third.slug] == [
        "pogoda-v-petropavlovske",
        "pogoda-v-petropavlovske-2",
        "pogoda-v-petropavlovske-3",
    ]


def test_slug_follows_title_while_draft(journalist):
    article = ArticleFactory(title="Первый вариант заголовка", author=journalist)
    article.title = "Второй вариант заголовка"
    article.save()
    assert article.slug == "vtoroi-variant-zagolovka"


def test_slug_is_stable_once_published(moderator):
    article = ArticleFactory(title="Заголовок при публикации")
    workflow.apply(article, "publish", by=moderator)
    article.title = "Исправленный заголовок после публикации"
    article.save()
    article.refresh_from_db()
    assert article.slug == "zagolovok-pri-publikatsii"


def test_title_without_letters_still_gets_a_slug():
    article = ArticleFactory(title="!!! ???")
    assert article.slug == "material"
