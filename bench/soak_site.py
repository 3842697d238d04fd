"""What the soak reads and writes, taken from the cluster's own content when it starts; and what was saved."""

import json

import psycopg

# Run by manage.py shell against the cluster: the public addresses readers load, and what a new story is filed under.
FACTS = """
import json
from urllib.parse import quote
from django.urls import reverse
from articles.models import Article, Section
from regions.models import Region
from taggit.models import Tag

stories = [article.get_absolute_url() for article in Article.objects.filter(status="published")]
titles = Article.objects.filter(status="published", language="ru").values_list("title", flat=True)
words = sorted({word.strip("«»,.:;!?()").lower() for title in titles for word in title.split()
                if len(word.strip("«»,.:;!?()")) >= 6})[:12]
regions = list(Region.objects.order_by("pk"))
tags = list(Tag.objects.filter(articles_articletag_items__status="published").distinct().order_by("pk")[:20])
sections = list(Section.objects.order_by("pk"))
facts = {
    "paths": {
        "story": stories,
        "list": ["/", "/news/", "/news/?page=2", "/kk/", "/regions/"]
        + [region.get_absolute_url() for region in regions]
        + [reverse("articles:tag", args=[tag.slug]) for tag in tags]
        + [section.get_absolute_url() for section in sections],
        "search": [reverse("articles:search") + "?q=" + quote(word) for word in words],
        "feed": ["/feed/"] + [reverse("region-feed", args=[region.slug]) for region in regions[:4]],
    },
    "section": sections[0].pk,
    "region": regions[0].pk,
    "tag": tags[0].name,
}
print(json.dumps(facts, ensure_ascii=False))
"""


def site_facts(cluster):
    """{"paths": {kind: [path]}, "section": pk, "region": pk, "tag": name} of the cluster's content."""
    output = cluster.manage("shell", "--no-startup", "-c", FACTS)
    facts = json.loads(output.strip().splitlines()[-1])
    if not all(facts["paths"].values()):
        raise RuntimeError(f"the cluster's content has no page of some kind: {facts['paths']}")
    return facts


def saved_stories(database_url, pks):
    """{pk: {"title", "lead", "body", "status"}} of the stories `pks` as PostgreSQL holds them now."""
    with psycopg.connect(database_url, connect_timeout=10) as connection:
        rows = connection.execute(
            "SELECT id, title, lead, body, status FROM articles_article WHERE id = ANY(%s)", [sorted(set(pks))]
        ).fetchall()
    return {
        pk: {"title": title, "lead": lead, "body": body, "status": status} for pk, title, lead, body, status in rows
    }


def stories_with_token_prefix(database_url, prefix):
    """The pks and titles of every story whose title starts with `prefix` (what the soak's editors created)."""
    with psycopg.connect(database_url, connect_timeout=10) as connection:
        rows = connection.execute(
            "SELECT id, title FROM articles_article WHERE title LIKE %s", [prefix.replace("%", r"\%") + "%"]
        ).fetchall()
    return dict(rows)


def verify_saves(database_url, acknowledged, attempts, title_prefix):
    """Whether every save the admin acknowledged is in the database.

    `acknowledged`: one dict per acknowledged action (pk, action, expect); `attempts`: {pk: [markers of every
    correction tried, in order]}. A correction is present when the body holds its marker or that of a later
    attempt (a later try may have committed though its answer was lost); a created story when its title is
    the one saved; a submission or an approval when the story is in that state or further on.
    """
    stored = saved_stories(database_url, [item["pk"] for item in acknowledged])
    later_states = {"submit": {"review", "published"}, "approve": {"published"}}
    lost = []
    for item in acknowledged:
        row = stored.get(item["pk"])
        if row is None:
            lost.append({**item, "found": "no such story"})
        elif item["action"] == "create" and row["title"] != item["expect"]:
            lost.append({**item, "found": row["title"]})
        elif item["action"] == "correct":
            tried = attempts.get(item["pk"], [])
            allowed = tried[tried.index(item["expect"]) :] if item["expect"] in tried else [item["expect"]]
            if not any(marker in row["body"] for marker in allowed):
                lost.append({**item, "found": row["body"][:200]})
        elif item["action"] in later_states and row["status"] not in later_states[item["action"]]:
            lost.append({**item, "found": row["status"]})
    created = stories_with_token_prefix(database_url, title_prefix)
    acknowledged_creations = {item["pk"] for item in acknowledged if item["action"] == "create"}
    return {
        "acknowledged": len(acknowledged),
        "by_action": {
            action: sum(item["action"] == action for item in acknowledged)
            for action in ("create", "submit", "approve", "correct")
        },
        "present": len(acknowledged) - len(lost),
        "lost": lost,
        # Saved although the editor was told otherwise (the answer was lost on the way): not a loss, worth knowing.
        "created_unacknowledged": len(set(created) - acknowledged_creations),
    }
