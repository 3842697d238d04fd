"""Front page control: stories pinned to the home page's top slots and the «Срочно» banner."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from articles import front_page
from articles.models import Article, BreakingBanner, FrontPageSlot, WorkflowEvent
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

ARRANGE_URL = "/admin/articles/frontpageslot/"
PREVIEW_URL = "/admin/articles/frontpageslot/preview/"


@pytest.fixture
def stories():
    """Six published stories, the newest first; the third is marked «Главное»."""
    now = timezone.now()
    return [
        ArticleFactory(
            published=True,
            title=f"Новость {number} из Петропавловска",
            publish_at=now - timedelta(hours=number + 1),
            is_featured=number == 2,
        )
        for number in range(6)
    ]


def home_stories(client, path="/"):
    """The home page's stories in order, as rendered now (not from the page cache)."""
    with override_settings(NEWSROOM_PAGE_CACHE_SECONDS=0):
        response = client.get(path)
    assert response.status_code == 200
    return [response.context["main_story"], *response.context["latest"]]


def form_data(slots=None, banner=None):
    """The arrangement form's POST: `slots` {position: (story, ends_at)}, `banner` its fields."""
    data = {}
    for position, (story, ends_at) in (slots or {}).items():
        data[f"slot_{position}"] = story.pk
        data[f"slot_{position}_ends_at"] = timezone.localtime(ends_at).strftime("%Y-%m-%dT%H:%M") if ends_at else ""
    if banner:
        data.update(
            banner_on="on",
            banner_text=banner.get("text", ""),
            banner_text_kk=banner.get("text_kk", ""),
            banner_link=banner.get("link", ""),
            banner_ends_at=timezone.localtime(banner["ends_at"]).strftime("%Y-%m-%dT%H:%M")
            if banner.get("ends_at")
            else "",
        )
    return data


def current_slots():
    return {slot.position: (slot.article, slot.ends_at) for slot in FrontPageSlot.objects.live()}


def pin(moderator, position, story, ends_at=None):
    """Pin `story`, leaving the other slots and the banner as they are."""
    banner = BreakingBanner.objects.live().first()
    fields = banner and {name: getattr(banner, name) for name in ("text", "text_kk", "link", "ends_at")}
    front_page.save(by=moderator, slots={**current_slots(), position: (story, ends_at)}, banner=fields)


def put_up_banner(moderator, ends_at, text="Штормовое предупреждение в Петропавловске", link="/news/"):
    """Put up the banner, leaving the slots as they are."""
    banner = {"text": text, "text_kk": "", "link": link, "ends_at": ends_at}
    front_page.save(by=moderator, slots=current_slots(), banner=banner)


# Ordering and fallback


def test_without_pins_the_featured_story_leads_and_the_newest_follow(client, stories):
    assert home_stories(client)[:4] == [stories[2], stories[0], stories[1], stories[3]]


def test_pinned_stories_take_their_places_and_the_automatic_order_fills_the_rest(client, moderator, stories):
    pin(moderator, 1, stories[5])
    pin(moderator, 3, stories[4])

    shown = home_stories(client)

    assert shown[:5] == [stories[5], stories[2], stories[4], stories[0], stories[1]]
    assert len(shown) == len(set(shown)) == 6  # a pinned story is not shown twice


def test_the_main_story_is_pinned_before_the_featured_one(client, moderator, stories):
    pin(moderator, 1, stories[4])

    page = client.get("/").content.decode()

    assert page.index(stories[4].title) < page.index(stories[2].title)
    assert home_stories(client)[0] == stories[4]


def test_a_story_withdrawn_after_pinning_leaves_its_slot_to_the_automatic_choice(client, moderator, stories):
    pin(moderator, 1, stories[5])
    from articles import workflow

    workflow.apply(stories[5], "unpublish", by=moderator)

    shown = home_stories(client)
    assert shown[0] == stories[2] and stories[5] not in shown


def test_a_story_pinned_in_russian_leaves_the_kazakh_home_to_the_automatic_choice(client, moderator, stories):
    kazakh = ArticleFactory(published=True, language="kk", title="Петропавлда форум өтті")
    pin(moderator, 1, stories[5])

    assert home_stories(client, "/kk/")[0] == kazakh
    assert home_stories(client)[0] == stories[5]


def test_arrange_keeps_places_and_skips_missing_stories():
    a, b, c, d = (Article(pk=pk) for pk in range(1, 5))

    assert front_page.arrange([a, b, c], {2: d}, 4) == [a, d, b, c]
    assert front_page.arrange([a, b, c], {1: c, 3: a}, 4) == [c, b, a]
    assert front_page.arrange([], {}, 4) == []


# End times: the next request after them, without a save


def test_a_pin_ends_at_its_time_on_the_next_request_although_the_page_was_cached(client, moderator, stories, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    ends_at = timezone.now() + timedelta(seconds=60)
    pin(moderator, 1, stories[5], ends_at)
    assert home_stories(client)[0] == stories[5]
    client.get("/")  # now kept in the page cache for five minutes

    with time_machine.travel(ends_at - timedelta(seconds=5), tick=False):
        assert stories[5].title in client.get("/").content.decode().split("Последние новости")[0]
    with time_machine.travel(ends_at + timedelta(seconds=1), tick=False):
        page = client.get("/").content.decode()
    assert stories[2].title in page.split("Последние новости")[0]
    assert FrontPageSlot.objects.filter(article=stories[5]).exists()  # nothing was saved


def test_the_banner_ends_at_its_time_on_the_next_request_on_every_page(client, moderator, stories, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    ends_at = timezone.now() + timedelta(seconds=60)
    put_up_banner(moderator, ends_at)
    story_url = stories[0].get_absolute_url()
    for path in ("/", story_url, "/news/"):
        client.get(path)
        assert "Штормовое предупреждение" in client.get(path).content.decode(), path

    with time_machine.travel(ends_at + timedelta(seconds=1), tick=False):
        for path in ("/", story_url, "/news/"):
            assert "Штормовое предупреждение" not in client.get(path).content.decode(), path


# The banner


def test_the_banner_is_shown_at_the_top_of_public_pages_as_a_labelled_region(client, moderator, stories):
    put_up_banner(moderator, timezone.now() + timedelta(hours=2), link=stories[0].get_absolute_url())

    for path in ("/", stories[1].get_absolute_url(), "/regions/", "/kk/"):
        page = client.get(path).content.decode()
        banner = page[page.index('class="breaking"') : page.index("</div>", page.index('class="breaking"'))]
        assert 'role="region"' in banner and "aria-label=" in banner, path
        assert f'href="{stories[0].get_absolute_url()}"' in banner
        assert page.index('class="breaking"') < page.index('class="site-header"'), path


def test_the_banner_shows_its_kazakh_text_on_kazakh_pages(client, moderator, stories):
    front_page.save(
        by=moderator,
        slots={},
        banner={
            "text": "Штормовое предупреждение",
            "text_kk": "Дауыл туралы ескерту",
            "link": "/news/",
            "ends_at": timezone.now() + timedelta(hours=1),
        },
    )

    assert "Дауыл туралы ескерту" in client.get("/kk/").content.decode()
    assert "Штормовое предупреждение" in client.get("/").content.decode()


def test_a_banner_taken_down_disappears_on_the_next_request(client, moderator_client, moderator, stories):
    put_up_banner(moderator, timezone.now() + timedelta(hours=2))
    anonymous = client.__class__()
    anonymous.get("/")
    assert "Штормовое предупреждение" in anonymous.get("/").content.decode()

    response = moderator_client.post(ARRANGE_URL, form_data())

    assert response.status_code == 302
    assert "Штормовое предупреждение" not in anonymous.get("/").content.decode()
    assert not BreakingBanner.objects.live().exists()


def test_no_banner_no_markup(client, stories):
    assert 'class="breaking"' not in client.get("/").content.decode()


# Permission and validation


def test_a_journalist_can_neither_open_nor_post_the_front_page(client, journalist, stories):
    client.force_login(journalist)

    assert client.get(ARRANGE_URL).status_code == 403
    assert client.post(ARRANGE_URL, form_data({1: (stories[5], None)})).status_code == 403
    assert client.post(PREVIEW_URL, form_data({1: (stories[5], None)})).status_code == 403
    assert not FrontPageSlot.objects.exists()
    with pytest.raises(front_page.FrontPageError):
        front_page.save(by=journalist, slots={1: (stories[5], None)}, banner=None)


def test_staff_without_the_publish_permission_are_refused_even_with_model_permissions(client, stories):
    from django.contrib.auth.models import Permission

    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(content_type__model="frontpageslot"))
    client.force_login(editor)

    assert client.post(ARRANGE_URL, form_data({1: (stories[5], None)})).status_code == 403
    assert not FrontPageSlot.objects.exists()


def test_a_chief_editor_with_the_publish_permission_may_arrange(client, stories):
    chief = UserFactory(is_staff=True)
    chief.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(chief)

    assert client.post(ARRANGE_URL, form_data({1: (stories[5], None)})).status_code == 302
    assert FrontPageSlot.objects.get(position=1).article == stories[5]


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("draft", "не опубликован"),
        ("review", "не опубликован"),
        ("archived", "не опубликован"),
        ("scheduled", "ещё не вышел"),
    ],
)
def test_only_a_published_story_can_be_pinned(moderator_client, stories, state, message):
    story = ArticleFactory(title="Материал не для главной")
    if state == "scheduled":
        story.status, story.publish_at = Article.Status.PUBLISHED, timezone.now() + timedelta(hours=3)
    else:
        story.status = state
    story.save()

    response = moderator_client.post(ARRANGE_URL, form_data({1: (story, None)}))

    assert response.status_code == 200
    errors = response.context["form"].errors["slot_1"]
    assert any(message in error and "закрепить можно только опубликованный материал" in error for error in errors)
    assert not FrontPageSlot.objects.exists()


def test_an_invalid_arrangement_keeps_what_was_typed_and_saves_nothing(moderator_client, stories):
    past = timezone.now() - timedelta(hours=1)
    data = form_data(
        {1: (stories[4], past), 2: (stories[4], None)},
        banner={"text": "Срочная новость о паводке", "link": "javascript:alert(1)", "ends_at": None},
    )

    response = moderator_client.post(ARRANGE_URL, data)

    form = response.context["form"]
    assert form.errors["slot_1_ends_at"] == ["Это время уже прошло."]
    assert form.errors["slot_2"] == ["Этот материал уже на месте 1."]
    assert "banner_link" in form.errors and "banner_ends_at" in form.errors
    page = response.content.decode()
    assert "Срочная новость о паводке" in page and "javascript:alert(1)" in page  # kept in the form, escaped
    assert not FrontPageSlot.objects.exists() and not BreakingBanner.objects.exists()
    assert not WorkflowEvent.objects.exists()


def test_the_form_shows_the_current_arrangement(moderator_client, moderator, stories):
    ends_at = timezone.now() + timedelta(hours=5)
    pin(moderator, 2, stories[3], ends_at)
    put_up_banner(moderator, ends_at)

    form = moderator_client.get(ARRANGE_URL).context["form"]

    assert form.initial["slot_2"] == stories[3].pk
    assert form.initial["banner_on"] is True
    assert form.initial["banner_text"] == "Штормовое предупреждение в Петропавловске"


# The audit trail


def test_pinning_unpinning_and_the_banner_are_recorded_in_the_audit_trail(moderator_client, moderator, stories):
    ends_at = timezone.now() + timedelta(hours=4)
    moderator_client.post(
        ARRANGE_URL,
        form_data({1: (stories[5], ends_at)}, banner={"text": "Срочно: паводок", "link": "/news/", "ends_at": ends_at}),
    )
    moderator_client.post(ARRANGE_URL, form_data({2: (stories[4], None)}))

    events = list(WorkflowEvent.objects.order_by("id").values_list("transition", "article", "actor", "comment"))
    until = timezone.localtime(ends_at).strftime("%d.%m.%Y %H:%M")
    assert events == [
        ("pin", stories[5].pk, moderator.pk, f"Место 1, до {until}"),
        ("banner_up", None, moderator.pk, f"Срочно: паводок → /news/, до {until}"),
        ("unpin", stories[5].pk, moderator.pk, "Место 1"),
        ("pin", stories[4].pk, moderator.pk, "Место 2, пока не открепят"),
        ("banner_down", None, moderator.pk, "Срочно: паводок"),
    ]
    trail = moderator_client.get(reverse("admin:articles_workflowevent_changelist")).content.decode()
    assert "Плашка «Срочно» показана" in trail and "Закреплён на главной" in trail and "Откреплён с главной" in trail


def test_saving_the_same_arrangement_again_records_nothing(moderator_client, stories):
    data = form_data({1: (stories[5], None)})
    moderator_client.post(ARRANGE_URL, data)
    moderator_client.post(ARRANGE_URL, data)

    assert WorkflowEvent.objects.filter(transition="pin").count() == 1


# The preview


def test_the_preview_shows_the_pending_arrangement_and_is_stored_nowhere(client, moderator_client, stories, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    data = form_data(
        {1: (stories[5], None)},
        banner={"text": "Пробная плашка", "link": "/news/", "ends_at": timezone.now() + timedelta(hours=1)},
    )

    response = moderator_client.post(PREVIEW_URL, data)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "CDN-Cache-Control" not in response and "xkey" not in response
    assert response.context["main_story"] == stories[5]
    page = response.content.decode()
    assert "Пробная плашка" in page and "Предпросмотр главной" in page and "noindex" in page
    assert not FrontPageSlot.objects.exists() and not BreakingBanner.objects.exists()
    assert not WorkflowEvent.objects.exists()
    for _ in range(2):  # nor in the page cache readers are served from
        public = client.get("/")
        assert "Пробная плашка" not in public.content.decode()
        assert public.context is None or public.context["main_story"] == stories[2]


def test_an_invalid_preview_shows_the_form_with_its_errors(moderator_client, stories):
    draft = ArticleFactory(title="Черновик для главной")

    response = moderator_client.post(PREVIEW_URL, form_data({1: (draft, None)}))

    assert response.status_code == 200
    assert "slot_1" in response.context["form"].errors
