"""Old WordPress addresses lead to the imported stories, never over a page of ours; only superusers see them."""

import pytest
from django.urls import reverse

from articles.models import Article, ImportedPost, LegacyRedirect
from articles.models.legacy import old_path
from tests.articles.wordpress import edited_export, run_import
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
OLD_ADDRESS = "/pod-ekaterinburga-proizoshlo-krupnoe-dtp-s-uchastiem-14/"


def story(post_id):
    return ImportedPost.objects.get(post_id=post_id).article


def test_an_old_address_and_its_post_number_redirect_permanently_to_the_story(client):
    run_import()
    url = story(17).get_absolute_url()

    for address in [OLD_ADDRESS, OLD_ADDRESS.rstrip("/"), "/?p=17"]:
        response = client.get(address)
        assert response.status_code == 301, address
        assert response["Location"] == url
    assert client.get(url).status_code == 200
    # The page cache kept the 404 of the old address: the redirect still answers from it.
    assert client.get(OLD_ADDRESS).status_code == 301


def test_the_post_number_costs_one_query(client, django_assert_num_queries):
    run_import()

    with django_assert_num_queries(1):
        assert client.get("/?p=17").status_code == 301


def test_a_draft_or_a_scheduled_story_is_not_given_away_by_its_old_address(client):
    run_import()

    for post_id in (84, 85):
        response = client.get(f"/?p={post_id}")
        assert response.status_code == 200 and story(post_id).slug not in response.content.decode()


def test_an_old_address_never_shadows_a_page_and_an_unknown_one_stays_404(client):
    run_import()
    page = ArticleFactory(published=True)
    LegacyRedirect.objects.create(old_path=page.get_absolute_url(), article=story(17))

    assert client.get(page.get_absolute_url()).status_code == 200
    assert client.get("/news/").status_code == 200
    assert client.get("/no-such-post-anywhere/").status_code == 404
    assert client.get("/?p=999999").status_code == 200  # the home page, as before


def test_a_cyrillic_old_address_is_found_however_it_is_spelled(client, tmp_path):
    encoded = "/%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8/%d0%b4%d1%82%d0%bf/"
    export, media = edited_export(
        tmp_path, (f"http://127.0.0.1:8102{OLD_ADDRESS}</link>", f"http://127.0.0.1:8102{encoded}</link>")
    )
    run_import(export, media)

    assert LegacyRedirect.objects.filter(old_path="/новости/дтп/").exists()
    for address in ["/новости/дтп/", encoded.upper().replace("%D", "%d", 1)]:
        response = client.get(address)
        assert response.status_code == 301 and response["Location"] == story(17).get_absolute_url()


def test_old_paths_are_stored_without_host_and_decoded():
    assert old_path("http://old.example/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/?utm=1") == "/новости/"
    assert old_path("http://old.example/?p=84") == "/?p=84"
    assert old_path("http://old.example/blog/?p=x") == "/blog/"


def test_only_a_superuser_sees_redirects_in_the_admin_and_nobody_adds_one(client, journalist, moderator):
    run_import()
    changelist, add = reverse("admin:articles_legacyredirect_changelist"), reverse("admin:articles_legacyredirect_add")
    for user in (journalist, moderator):
        client.force_login(user)
        assert client.get(changelist).status_code == 403
        response = client.post(add, {"old_path": "/news/", "article": story(17).pk})
        assert response.status_code == 403
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(changelist).status_code == 200
    assert client.get(add).status_code == 403
    assert client.get(reverse("admin:articles_importedpost_changelist")).status_code == 200
    assert not LegacyRedirect.objects.filter(old_path="/news/").exists()


def test_an_article_deleted_by_a_superuser_takes_its_redirects_along(client):
    run_import()
    article = story(17)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not LegacyRedirect.objects.filter(old_path=OLD_ADDRESS).exists()
    assert client.get(OLD_ADDRESS).status_code == 404
