"""A story's own part of its page (its head and its article element), rendered when it changes, not when it is read.

The part shows the story and its neighbours (author, region, section, tags, translations, party links) and
nothing that changes between readers or requests. It is rendered by the task worker after every committed
change of the story or of a neighbour (articles/tasks.py) and stored in StoryPart with the fingerprint of
what it was rendered from: the values it shows, the templates' text and the settings it reads. A request
computes the fingerprint of what it has just read (no query: the part comes in the story's own row) and
uses the stored part only when the two match; otherwise (a change the worker has not rendered yet, a
deploy with new templates) it renders the part itself, kept per fingerprint in the shared cache
(newsroom/caching.py), so a stale part is never shown.

What differs per request is left as markers and filled in at the end: the site's address (which follows
the request's host unless NEWSROOM_SITE_URL names it), the view and share counts, and the counter token.
"""

import hashlib
import re
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template import engines
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued
from taggit.models import Tag

from articles import body_photos, bylines, counters, statements
from articles.models import Article, Correction, GalleryItem, StoryPart
from newsroom.absolute import site_url
from newsroom.caching import kept, kept_each
from newsroom.navigation import with_places
from parties.models import PartyProject, PrimaryOrganisation

TEMPLATES = ("articles/story_head.html", "articles/story_body.html")
# The templates the two include: their text is part of the fingerprint too.
INCLUDED = tuple(f"includes/{name}.html" for name in ("breadcrumbs", "picture", "corrections", "embed", "gallery"))
# Raise when the Python that renders the part (articles/templatetags/newsroom_site.py, articles/embeds.py,
# articles/body_photos.py) changes its output.
VERSION = 5

ORIGIN = "https://origin.newsroom.invalid"
VIEWS, SHARES, TOKEN = "\ue000views\ue000", "\ue000shares\ue000", "\ue000token\ue000"
MARKERS = re.compile("|".join(re.escape(marker) for marker in (ORIGIN, quote(ORIGIN, safe=""), VIEWS, SHARES, TOKEN)))
# The story's own columns a part may show: all but the search column, the counts (markers in the part) and the
# editors' record of translations kept in step (articles/translations.py), which readers never see.
NOT_SHOWN = {"search_vector", "views_count", "shares_count", "text_changed_at", "translation_checked_at"}
SHOWN_FIELDS = [field for field in Article._meta.concrete_fields if field.name not in NOT_SHOWN]
STORED_IN_CHUNKS_OF = 200


def published_story(slug):
    """The published story at `slug` with its author, links and stored part: one query, and one per kind of link."""
    article = statements.published_story(slug)
    if article is None:
        return None
    # The co-authors read with the author, in one query: linked_content() then finds them kept.
    credited = [(article.author_id,), *((pk,) for pk in article.coauthor_ids)]
    author = kept_each("author", credited, bylines.read_authors)[(article.author_id,)]
    if author is not None:
        article.author = author
    return {"article": article, **linked_content(article)}


def linked_content(article):
    """The story's tags, its co-authors and byline, its live translations, its party organisations and projects, its
    correction notes and its gallery.

    A story read with_link_summary() says which of them it has (most have tags and nothing else): only those
    are asked for, and its tags are shared with other stories, kept per content generation.
    """
    summary = getattr(article, "tag_ids", None) is not None
    tag_ids = article.tag_ids if summary else list(article.tags.values_list("pk", flat=True))
    tags = kept_each("tag", [(pk,) for pk in tag_ids], read_tags)
    coauthor_ids = article.coauthor_ids if summary else list(article.coauthor_links.values_list("user_id", flat=True))
    coauthors = kept_each("author", [(pk,) for pk in coauthor_ids], bylines.read_authors) if coauthor_ids else {}
    links = {
        "tags": sorted((tags[(pk,)] for pk in tag_ids), key=lambda tag: tag.name),
        "credits": bylines.credits(article, [coauthors[(pk,)] for pk in coauthor_ids if coauthors[(pk,)]]),
        "translations": [],
        "party_organisations": [],
        "party_projects": [],
        "corrections": [],
    }
    if not summary or article.has_translations:
        # Both directions in one query: the original this story translates, then its own translations.
        either_way = Q(translation_of=article.pk) | Q(pk=article.translation_of_id)
        translations = Article.objects.published().filter(either_way).exclude(pk=article.pk)
        links["translations"] = sorted(
            translations.defer("body", "search_vector"),
            key=lambda translation: (translation.pk != article.translation_of_id, translation.pk),
        )
    if not summary or article.has_party_links:
        links["party_organisations"] = statements.party_links(PrimaryOrganisation, article.pk)
        links["party_projects"] = statements.party_links(PartyProject, article.pk)
    if summary:
        links["corrections"] = [Correction.from_row(article, row) for row in article.correction_rows]
    else:
        links["corrections"] = list(article.corrections.newest_first().only("kind", "text", "created_at", "article"))
    links["gallery"] = GalleryItem.of_story(article, article.gallery_rows if summary else None)
    return links


def read_tags(missing):
    """Tags by id, each with its page's `url` in the current language (kept with them: reversing is not free)."""
    tags = {(tag.pk,): tag for tag in Tag.objects.filter(pk__in=[pk for (pk,) in missing])}
    for tag in tags.values():
        tag.url = reverse("articles:tag", args=[tag.slug])
    return tags


def part_for(article, links):
    """The story's part as stored when it is current, else rendered now (kept per fingerprint); markers unfilled."""
    fingerprint = fingerprint_of(article, links)
    if getattr(article, "part_fingerprint", None) == fingerprint:
        return {"head": article.part_head, "body": article.part_body}
    return kept("story-part", article.pk, fingerprint, compute=lambda: render_part(article, links))


def personalised(part, request, article):
    """`part` with this request's site address, the story's counts and the counter token in place of the markers."""
    origin = site_url(request)
    values = {
        ORIGIN: origin,
        quote(ORIGIN, safe=""): quote(origin, safe=""),
        VIEWS: str(article.views_count),
        SHARES: str(article.shares_count),
        TOKEN: counters.page_token(article.pk),
    }

    def fill(text):
        return mark_safe(MARKERS.sub(lambda found: values[found.group()], text))  # noqa: S308 (rendered escaped)

    return {name: fill(text) for name, text in part.items()}


def render_part(article, links, *, is_preview=False):
    """The head and the article element of `article`'s page in its language, with markers for what varies."""
    url = article.get_absolute_url()
    context = {
        "article": article,
        "body": body_photos.with_photos(article.body, body_photos.photos_in(article.body)),  # one query
        "canonical_url": ORIGIN + url,
        "site_origin": ORIGIN,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "cover_url": absolute(article.cover.photo.open_graph.url) if article.cover else "",
        "crumbs": [{"title": _("Новости"), "url": reverse("articles:list")}, {"title": article.title}],
        **links,
        "views_count": VIEWS,
        "shares_count": SHARES,
        "counter_token": TOKEN,
        "is_preview": is_preview,
    }
    head, body = (render_to_string(name, context) for name in TEMPLATES)
    return {"head": head, "body": body}


def absolute(url):
    return url if url.startswith(("http://", "https://")) else ORIGIN + url


def fingerprint_of(article, links):
    """A digest of everything the part shows (in the active language) and of the code that renders it."""
    author = article.author
    places = [place for place in (article.region, article.section) if place]
    shown = [
        code_version(),
        translation.get_language(),
        [str(getattr(article, field.attname)) for field in SHOWN_FIELDS],
        [author.pk, author.first_name, author.last_name, author.username],
        [(credit.name, credit.url) for credit in links["credits"]],
        [(place.pk, place.display_name, place.get_absolute_url()) for place in places],
        article.section.name if article.section else "",
        [(tag.pk, tag.name, tag.url) for tag in links["tags"]],
        [(story.pk, story.language, story.get_absolute_url()) for story in links["translations"]],
        [(o.pk, o.name, o.party.get_absolute_url(), str(o.party)) for o in links["party_organisations"]],
        [(p.pk, p.display_name, p.get_absolute_url(), str(p.party)) for p in links["party_projects"]],
        [(c.pk, c.kind, c.text, str(c.created_at)) for c in links["corrections"]],
        [item.shown_values() for item in links["gallery"]],
        cover_shown(article),
    ]
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def cover_shown(article):
    """What the part shows of the story's cover photo (read with the story: no query)."""
    photo = article.shown_cover_photo()
    if photo is None:
        return None
    return [photo.file.name, photo.width, photo.height, photo.alt_text, photo.caption, photo.credit]


_code_version = None


def code_version():
    """The templates' text, VERSION and the settings the part reads: a deploy that changes them renders anew."""
    global _code_version
    if _code_version is None:
        engine = engines["django"].engine
        sources = [engine.get_template(name).source for name in TEMPLATES + INCLUDED]
        facts = [VERSION, settings.NEWSROOM_SITE_NAME, settings.MEDIA_URL, static("img/logo.png"), settings.TIME_ZONE]
        _code_version = hashlib.blake2b(repr([sources, facts]).encode(), digest_size=16).hexdigest()
    return _code_version


def store(ids):
    """Render and store the parts of the stories among `ids` that readers may see now or later; drop the rest.

    Returns how many were rendered. A part already current is left alone.
    """
    ids = sorted(set(ids))
    rendered = 0
    for start in range(0, len(ids), STORED_IN_CHUNKS_OF):
        chunk = ids[start : start + STORED_IN_CHUNKS_OF]
        stories = Article.objects.filter(pk__in=chunk, status=Article.Status.PUBLISHED)
        stories = stories.select_related("author__author_profile", "cover_photo")
        stories = with_places(stories.defer("search_vector").with_link_summary().with_stored_part())
        parts = []
        for article in stories:
            with translation.override(article.language):
                links = linked_content(article)
                fingerprint = fingerprint_of(article, links)
                if fingerprint != article.part_fingerprint:
                    parts.append(StoryPart(article=article, fingerprint=fingerprint, **render_part(article, links)))
        StoryPart.objects.filter(article_id__in=chunk).exclude(article__in=stories).delete()
        StoryPart.objects.bulk_create(
            parts,
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["fingerprint", "head", "body", "rendered_at"],
        )
        rendered += len(parts)
    return rendered


# The neighbours a part shows, by model, and how a story reaches each (README «Caching and freshness»).
NEIGHBOURS = {
    "articles.Section": ["section"],
    "taggit.Tag": ["tags"],
    "regions.Region": ["region"],
    "parties.Party": ["party_organisations__party", "party_projects__party"],
    "parties.PrimaryOrganisation": ["party_organisations"],
    "parties.PartyProject": ["party_projects"],
    # the byline: the author's and co-authors' names and pages come from their profiles
    "articles.AuthorProfile": ["author__author_profile", "coauthors__author_profile"],
    "articles.ArticleCoauthor": ["coauthor_links"],
    "articles.Correction": ["corrections"],  # removing one renders its story again too (articles/signals.py)
    "articles.GalleryItem": ["gallery_items"],  # and removing one too
    "articles.Photo": ["cover_photo", "gallery_items__photo"],  # alt text, caption, credit: edited in the library
}
RENDER_TASK = "articles.render_story_parts"


def stories_showing(instance):
    """The ids of the stories whose part shows `instance`: a story (itself, whatever its state, its original and its
    translations) or a neighbour."""
    if isinstance(instance, Article):
        shown = Q(translation_of=instance.pk) | Q(pk=instance.translation_of_id)
        itself = [instance.pk]
    else:
        shown, itself = Q(), []
        for path in NEIGHBOURS[instance._meta.label]:
            shown |= Q(**{path: instance})
    return itself + list(Article.objects.published().filter(shown).values_list("pk", flat=True).distinct())


def changed(instance):
    """Render the parts that show `instance` once the change is committed, in the task worker.

    A job for the same object still waiting will read what is committed by then: no second one is queued.
    """
    label, pk = instance._meta.label, instance.pk
    transaction.on_commit(lambda: queue_rendering(label, pk))


def queue_rendering(label, pk):
    # By name: the task's module (articles/tasks.py) imports this one.
    job = app.configure_task(RENDER_TASK, queue="pages", queueing_lock=f"story-parts:{label}:{pk}")
    try:
        with transaction.atomic():  # a refused duplicate must not spoil a transaction around this one
            job.defer(model=label, pk=pk)
    except AlreadyEnqueued:
        pass
