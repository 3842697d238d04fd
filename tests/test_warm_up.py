"""A serving process gets ready before its first request (newsroom/warm_up.py), without the database."""

from django.template import engines

from newsroom.warm_up import warm_up


def test_warm_up_compiles_the_site_templates_without_the_database():
    cached_loader = engines["django"].engine.template_loaders[0]
    cached_loader.reset()

    warm_up()  # no database access is allowed in this test: a query would fail it

    compiled = set(cached_loader.get_template_cache)
    assert {"base.html", "articles/article_detail.html", "includes/article_card.html"} <= compiled
