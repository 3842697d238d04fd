"""Two app servers behind nginx and Varnish, with PostgreSQL and Redis (bench/cluster.py, what `make cluster` runs).

What one server does, the other knows on the next request: publications, sessions, lock-outs, counted readers.
The edge keeps anonymous pages and loses a withdrawn or corrected story within a second; while PostgreSQL is
down it answers with the pages it has; it never keeps what staff, previews or shared draft links see.
"""

import json
import re
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from bench.cluster import Cluster
from tests.cluster.client import Browser

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ["varnishd", "redis-server", "nginx"])
    or not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")),
    reason="needs Debian's varnish, varnish-modules, redis-server, nginx and postgresql (.ci/run installs them)",
)

EDGE_SECONDS = 3  # the pages' lifetime at the edge here, so that the stale answer can be seen without a long wait


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with Cluster(tmp_path_factory.mktemp("cluster"), env={"NEWSROOM_PAGE_CACHE_SECONDS": str(EDGE_SECONDS)}) as running:
        yield running


def new_story(cluster, title):
    """A draft that passes the publication gate, written by the demo journalist: (pk, address)."""
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from articles.models import Article, Section\n"
        "from regions.models import Region\n"
        f"story = Article.objects.create(title={title!r}, lead='Проверка кластера.', body='<p>Текст.</p>',"
        " section=Section.objects.first(), region=Region.objects.first(),"
        " author=get_user_model().objects.get(username='journalist'))\n"
        "story.tags.add('кластер')\n"
        "print(story.pk, story.get_absolute_url())\n"
    )
    pk, url = cluster.manage("shell", "-c", code).split()[-2:]
    return int(pk), url


def retitle(cluster, pk, title):
    """Correct a story's headline as an editor's save does (a content save of a live story)."""
    code = (
        "from articles.models import Article\n"
        f"story = Article.objects.get(pk={pk})\nstory.title = {title!r}\nstory.save()\n"
    )
    cluster.manage("shell", "-c", code)


def transition(browser, pk, name):
    path = f"/admin/articles/article/{pk}/change/"
    token = browser.csrf_token(path)
    answer = browser.post_form(f"/admin/articles/article/{pk}/transition/{name}/", {"csrfmiddlewaretoken": token})
    assert answer.status == 302, answer.text[:2000]


def moderator_on(cluster, index):
    browser = Browser(cluster.app_url(index))
    assert browser.log_in("moderator").status == 302
    return browser


def until(check, seconds):
    """Seconds until `check()` held (polled every 20 ms), or None."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def purge_jobs(cluster, condition):
    """How many edge purge jobs of the cluster's queue match `condition` (keyword arguments of a filter, as text)."""
    code = (
        "from django.db.models import Q\nfrom procrastinate.contrib.django.models import ProcrastinateJob as Job\n"
        f"print(Job.objects.filter(task_name='newsroom.purge_edge').filter({condition}).count())\n"
    )
    return int(cluster.manage("shell", "-c", code).split()[-1])


def test_a_story_published_through_one_server_is_served_by_the_other_on_the_next_request(cluster):
    pk, url = new_story(cluster, "Опубликовано на первом сервере")
    reader_b = Browser(cluster.app_url(1))
    for _ in range(3):  # server b has the list and the missing story in its page cache
        assert reader_b.get("/news/").status == 200
        assert reader_b.get(url).status == 404
    transition(moderator_on(cluster, 0), pk, "publish")
    assert reader_b.get(url).status == 200
    assert "Опубликовано на первом сервере" in reader_b.get("/news/").text


def test_a_session_started_on_one_server_works_on_the_other(cluster):
    journalist = Browser(cluster.app_url(0))
    assert journalist.log_in("journalist").status == 302
    assert Browser(cluster.app_url(1)).get("/admin/").status == 302  # to the login page, without the session
    dashboard = journalist.on(cluster.app_url(1)).get("/admin/")
    assert dashboard.status == 200
    assert "Редакционный стол" in dashboard.text and 'id="logout-form"' in dashboard.text


def test_a_lock_out_on_one_server_holds_on_the_other(cluster):
    guesser = Browser(cluster.app_url(0))
    for _ in range(5):
        guesser.log_in("admin", password="not-the-password")
    refused = Browser(cluster.app_url(1)).log_in("admin")  # the right password, from the same address
    assert refused.status == 429
    assert "/admin/" not in (refused.headers.get("Location") or "")


def test_a_reader_counted_on_one_server_is_not_counted_again_on_the_other(cluster):
    pk, url = new_story(cluster, "Считаем читателей")
    transition(moderator_on(cluster, 0), pk, "publish")
    reader = Browser(cluster.app_url(0))
    token = re.search(r'data-counter-token="([^"]+)"', reader.get(url).text)[1]
    counts = []
    for server in (0, 1):
        answer = reader.on(cluster.app_url(server)).post_form(f"{url}view/", {"token": token})
        counts.append(json.loads(answer.text))
    assert counts == [{"counted": True, "count": 1}, {"counted": False, "count": 1}]


def test_the_edge_keeps_public_pages_and_loses_a_withdrawn_story_within_a_second(cluster):
    pk, url = new_story(cluster, "Снимем с публикации")
    moderator = moderator_on(cluster, 0)
    transition(moderator, pk, "publish")
    reader = Browser(cluster.edge_url)
    assert reader.get(url).status == 200
    kept = reader.get(url)
    assert (kept.status, kept.headers["X-Edge-Cache"]) == (200, "hit")
    assert "xkey" not in kept.headers and "CDN-Cache-Control" not in kept.headers  # the edge's own
    transition(moderator, pk, "unpublish")
    assert until(lambda: reader.get(url).status == 404, 1.0) is not None


def test_a_correction_reaches_the_edge_within_a_second(cluster):
    pk, url = new_story(cluster, "Исправим заголовок")
    transition(moderator_on(cluster, 1), pk, "publish")
    reader = Browser(cluster.edge_url)
    reader.get(url)
    assert reader.get(url).headers["X-Edge-Cache"] == "hit"
    retitle(cluster, pk, "Исправленный заголовок")
    assert until(lambda: "Исправленный заголовок" in reader.get(url).text, 1.0) is not None
    # The lists showing it are purged with it (softly: one stale answer at most while the edge fetches again).
    assert until(lambda: "Исправленный заголовок" in reader.get("/news/").text, 1.0) is not None


def test_only_the_task_workers_may_purge_the_edge(cluster):
    reader = Browser(cluster.edge_url)
    reader.get("/news/")
    assert reader.get("/news/").headers["X-Edge-Cache"] == "hit"
    # What a reader's PURGE looks like after the TLS site (deploy/nginx/newsroom.conf) passed it on from loopback.
    refused = reader.request("PURGE", "/", headers={"xkey-purge": "nav articles", "X-Forwarded-For": "203.0.113.9"})
    assert refused.status == 403
    assert reader.get("/news/").headers["X-Edge-Cache"] == "hit"


def test_staff_previews_and_shared_drafts_are_never_kept_at_the_edge(cluster):
    pk, url = new_story(cluster, "Черновик со ссылкой")
    moderator = moderator_on(cluster, 0).on(cluster.edge_url)
    for _ in range(2):
        admin_page = moderator.get("/admin/")
        assert (admin_page.status, admin_page.headers["X-Edge-Cache"]) == (200, "miss")
        preview = moderator.get(f"/admin/articles/article/{pk}/preview/")
        assert (preview.status, preview.headers["X-Edge-Cache"]) == (200, "miss")
    token = moderator.csrf_token(f"/admin/articles/article/{pk}/change/")
    shared = moderator.post_form(f"/admin/articles/article/{pk}/share/", {"csrfmiddlewaretoken": token})
    assert shared.status == 302
    link = re.search(r"/preview/[^/\"<\s]+/", moderator.get(f"/admin/articles/article/{pk}/change/").text)[0]
    stranger = Browser(cluster.edge_url)
    for _ in range(2):
        draft = stranger.get(link)
        assert (draft.status, draft.headers["X-Edge-Cache"]) == (200, "miss")
        assert "private" in draft.headers["Cache-Control"]
    # What staff saw on a public page is not what the next reader gets.
    staff_view = moderator.get("/news/")
    assert staff_view.headers["X-Edge-Cache"] == "miss"


def test_readers_get_the_kept_pages_while_postgresql_is_down(cluster):
    # The purges the other tests queued (and their second round, 2 s later) are done: nothing empties the edge.
    assert until(lambda: purge_jobs(cluster, "status__in=['todo', 'doing']") == 0, 30) is not None
    reader = Browser(cluster.edge_url)
    pages = ["/", "/news/", "/regions/"]
    for path in pages:
        assert reader.get(path).status == 200
    time.sleep(EDGE_SECONDS + 1)  # expired at the edge: only the stale answer is left
    cluster.stop_postgres()
    try:
        for path in pages:
            answer = reader.get(path)
            # A page the edge kept (a soft purge may have left an older copy than the one read above).
            assert (answer.status, answer.headers["X-Edge-Cache"]) == (200, "hit"), path
            assert answer.text.rstrip().endswith("</html>") and "Newsroom" in answer.text
    finally:
        cluster.start_postgres()
    # PostgreSQL is back: a page the edge never had is served again.
    assert until(lambda: reader.get(f"/search/?q={quote('кластер')}").status == 200, 20) is not None


def test_a_list_a_new_story_joined_is_answered_stale_while_postgresql_is_down(cluster):
    assert until(lambda: purge_jobs(cluster, "status__in=['todo', 'doing']") == 0, 30) is not None
    reader = Browser(cluster.edge_url)
    reader.get("/news/")
    before = reader.get("/news/")
    assert before.headers["X-Edge-Cache"] == "hit"
    pk, url = new_story(cluster, "Пока база недоступна")
    transition(moderator_on(cluster, 0), pk, "publish")
    # Both rounds of its purge are done: /news/ was expired softly (it did not show the story yet).
    assert until(lambda: purge_jobs(cluster, "status__in=['todo', 'doing']") == 0, 30) is not None
    cluster.stop_postgres()
    try:
        stale = reader.get("/news/")
        assert stale.status == 200 and stale.text == before.text
        assert reader.get(url).status >= 500  # the story itself was never kept: nothing to answer with
    finally:
        cluster.start_postgres()


def test_a_story_corrected_just_before_postgresql_stops_is_answered_as_it_was(cluster):
    pk, url = new_story(cluster, "Заголовок до исправления")
    transition(moderator_on(cluster, 0), pk, "publish")
    reader = Browser(cluster.edge_url)
    reader.get(url)
    assert reader.get(url).headers["X-Edge-Cache"] == "hit"
    retitle(cluster, pk, "Заголовок после исправления")
    # Both rounds of its purge are done and no reader has asked for the story since.
    assert until(lambda: purge_jobs(cluster, "status__in=['todo', 'doing']") == 0, 30) is not None
    cluster.stop_postgres()
    try:
        answer = reader.get(url)
        assert (answer.status, answer.headers["X-Edge-Cache"]) == (200, "hit")
        assert "Заголовок до исправления" in answer.text
    finally:
        cluster.start_postgres()
    assert until(lambda: "Заголовок после исправления" in reader.get(url).text, 20) is not None


def test_with_no_app_server_up_editors_and_readers_get_a_try_again_page(cluster):
    moderator = moderator_on(cluster, 0).on(cluster.edge_url)
    token = moderator.csrf_token("/admin/articles/article/add/")
    for index in (0, 1):
        cluster.stop_app_server(index)
    try:
        save = moderator.post_form("/admin/articles/article/add/", {"csrfmiddlewaretoken": token, "title": "Т"})
        assert save.status == 503 and "попробуйте ещё раз через минуту" in save.text
        never_kept = Browser(cluster.edge_url).get(f"/search/?q={quote('никогда')}")
        assert never_kept.status == 503 and "Попробуйте обновить страницу через минуту" in never_kept.text
    finally:
        for index in (0, 1):
            cluster.start_app_server(index)


def test_a_purge_is_retried_until_the_edge_confirms(cluster):
    pk, url = new_story(cluster, "Пока кэш недоступен")
    cluster.others["varnish"].stop()
    transition(moderator_on(cluster, 0), pk, "publish")
    assert until(lambda: purge_jobs(cluster, "status='todo', attempts__gt=0") > 0, 30) is not None
    cluster.others["varnish"] = cluster.varnish_process().start()
    assert until(lambda: purge_jobs(cluster, "~Q(status='succeeded')") == 0, 60) is not None
