import json
from urllib.parse import quote

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from articles import embeds
from articles.models import Article
from newsroom.absolute import build_absolute

register = template.Library()


# --- the page in the other language: the header's switch and the alternate links of the head ---


@register.simple_tag(takes_context=True)
def language_url(context, code):
    """The current page in language `code`, for the header's language switch.

    A story's counterpart is its published translation into `code`; a story without one leads to that language's
    home page. Every other public page is under i18n_patterns (newsroom/urls.py) with the same slugs in both
    languages, so its counterpart is the same path under the other prefix, with the same query.
    """
    story = story_of(context)
    if story is not None:
        return story_counterparts(story, context["translations"]).get(code) or in_language("/", code)
    request = context["request"]
    url = in_language(request.path, code)
    query = request.GET.urlencode()  # re-encoded: a raw UTF-8 query must not leak into the link
    return f"{url}?{query}" if query else url


@register.simple_tag(takes_context=True)
def alternate_links(context):
    """The `<link rel="alternate" hreflang>` of the current page for each language it exists in, and x-default.

    page_meta() adds them beside the canonical link; a page without one (search) asks for them itself. A story
    has them only with a published translation; a list's later pages have none (page 3 of the Russian news is
    no translation of page 3 of the Kazakh news, and may not exist).
    """
    story = story_of(context)
    if story is not None:
        paths = story_counterparts(story, context["translations"])
        if len(paths) < 2:
            return ""
    else:
        page = context.get("page")
        if getattr(page, "number", 1) != 1:
            return ""
        path = context["request"].path
        paths = {code: in_language(path, code) for code, _name in settings.LANGUAGES}
    links = {code: absolute_url(context, path) for code, path in paths.items()}
    if settings.LANGUAGE_CODE in links:
        links["x-default"] = links[settings.LANGUAGE_CODE]
    line = '<link rel="alternate" hreflang="{}" href="{}">'
    return format_html_join("\n", line, links.items())


def story_of(context):
    """The story whose page is being rendered (its reader's page, its stored part, its preview), or None."""
    article = context.get("article")
    return article if isinstance(article, Article) and "translations" in context else None


def story_counterparts(story, translations):
    """{language: path} of `story` and of its published translations (`translations`, as linked_content reads
    them: never a draft), the first of each language."""
    paths = {story.language: story.get_absolute_url()}
    for translation in translations:
        paths.setdefault(translation.language, translation.get_absolute_url())
    return paths


def in_language(path, code):
    """`path` of the current language's pages as the same page in language `code`: Russian unprefixed."""
    current = get_language()
    if current != settings.LANGUAGE_CODE and path.startswith(f"/{current}/"):
        path = path[len(current) + 1 :]
    return path if code == settings.LANGUAGE_CODE else f"/{code}{path}"


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """`path` as an absolute link: on the context's `site_origin` when it names one (a story's stored part,
    articles/story_parts.py), else on NEWSROOM_SITE_URL or the request's host."""
    origin = context.get("site_origin")
    if origin and not path.startswith(("http://", "https://")):
        return origin + path
    return build_absolute(context.get("request"), path)


@register.simple_tag(takes_context=True)
def page_meta(context, title=None, description=None, canonical=None, *, story=None, image=None, tags=(), noindex=False):
    """The description, canonical address, OpenGraph and Twitter card of a page.

    `title` and `description` default to the template's variables of those names, `canonical` to the requested
    page (with its page number on a list). A story (`story`, an Article) adds og:type article, its language,
    its times and section, `tags` and its title and lead for Twitter; `image` is its cover's OpenGraph
    rendition (1200×630); `noindex` marks a preview. Built in Python: this runs on every page, and the same
    markup as an included template cost the cold article page a fifth of its rendering.
    """
    title = context.get("title", "") if title is None else title
    description = Truncator(context.get("description", "") if description is None else description or "").chars(200)
    if canonical is None:
        request = context["request"]
        canonical = build_absolute(request, request.path)
    page = context.get("page")
    lines = [format_html('<meta name="description" content="{}">', description)]
    if noindex:
        lines.append(mark_safe('<meta name="robots" content="noindex, nofollow">'))
    else:
        page_number = getattr(page, "number", 1)
        query = f"?page={page_number}" if isinstance(page_number, int) and page_number > 1 else ""
        lines.append(format_html('<link rel="canonical" href="{}{}">', canonical, query))
        alternates = alternate_links(context)
        if alternates:
            lines.append(alternates)
    language = story.language if story else get_language()
    lines.append(
        format_html(
            '<meta property="og:type" content="{}">\n<meta property="og:site_name" content="{}">\n'
            '<meta property="og:title" content="{}">\n<meta property="og:description" content="{}">\n'
            '<meta property="og:url" content="{}">\n<meta property="og:locale" content="{}">',
            "article" if story else "website",
            context.get("site_name", settings.NEWSROOM_SITE_NAME),
            title,
            description,
            canonical,
            "kk_KZ" if language == "kk" else "ru_RU",
        )
    )
    if image:
        lines.append(
            format_html(
                '<meta property="og:image" content="{}">\n<meta property="og:image:width" content="1200">'
                '<meta property="og:image:height" content="630">\n<meta property="og:image:alt" content="{}">',
                image,
                story.cover.photo.alt_text if story and story.cover else "",
            )
        )
    if story:
        if story.publish_at:
            lines.append(meta_property("article:published_time", machine_time(story.publish_at)))
        if story.corrected_at:
            lines.append(meta_property("article:modified_time", machine_time(story.corrected_at)))
        if story.section:
            lines.append(meta_property("article:section", story.section.display_name))
        lines.extend(meta_property("article:tag", tag.name) for tag in tags)
    lines.append(format_html('<meta name="twitter:card" content="{}">', "summary_large_image" if image else "summary"))
    if story:
        lines.append(
            format_html(
                '<meta name="twitter:title" content="{}">\n<meta name="twitter:description" content="{}">',
                title,
                description,
            )
        )
    return mark_safe("\n".join(lines))  # noqa: S308  (each line built by format_html, its values escaped)


def meta_property(name, content):
    return format_html('<meta property="{}" content="{}">', name, content)


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, tags, url, credits=None, corrections=(), gallery=()):
    """A JSON-LD NewsArticle block for search engines; `url` is the story's absolute address, `credits` its byline
    (articles/bylines.py: each author a Person, with their page), `corrections` its correction and update notes
    (articles.Correction), newest first, `gallery` its gallery's items (articles.GalleryItem)."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.lead,
        "inLanguage": article.language,
        "datePublished": machine_time(article.publish_at) or None,
        "dateModified": machine_time(article.corrected_at or article.publish_at or article.updated_at),
        "author": people(context, credits) if credits else [{"@type": "Person", "name": article.author_display}],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.NEWSROOM_SITE_NAME,
            "url": absolute_url(context, "/"),
            "logo": {"@type": "ImageObject", "url": absolute_url(context, static("img/logo.png"))},
        },
        "keywords": [tag.name for tag in tags],
    }
    if article.section:
        data["articleSection"] = article.section.name
    images = [article.cover.photo.open_graph.url] if article.cover else []
    images += [item.photo.rendition_1200_jpeg.url for item in gallery]
    if images:
        data["image"] = [absolute_url(context, image) for image in images]
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "name": str(correction.get_kind_display()),
                "text": correction.text,
                "datePublished": machine_time(correction.created_at),
            }
            for correction in corrections
        ]
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


def person(context, name, url=""):
    """A schema.org Person with the absolute address of their author page, when they have one."""
    data = {"@type": "Person", "name": name}
    if url:
        data["url"] = absolute_url(context, url)
    return data


def people(context, credits):
    return [person(context, credit.name, credit.url) for credit in credits]


@register.simple_tag
def share_links(article, url):
    """The list items of share links for the messengers and networks readers in Kazakhstan use.

    `url` is the story's absolute address. Plain links: nothing loads from those networks until a reader clicks.
    """
    url = quote(url, safe="")
    title = quote(article.title, safe="")
    links = [
        ("telegram", "Telegram", f"https://t.me/share/url?url={url}&text={title}"),
        ("whatsapp", "WhatsApp", f"https://wa.me/?text={title}%20{url}"),
        ("vk", "ВКонтакте", f"https://vk.com/share.php?url={url}&title={title}"),
        ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={url}"),
        ("x", "X", f"https://twitter.com/intent/tweet?url={url}&text={title}"),
    ]
    item = (
        '<li><a class="share__link share__link--{}" href="{}" target="_blank" rel="noopener noreferrer" data-share>'
        "{}</a></li>"
    )
    return format_html_join("", item, ((code, href, name) for code, name, href in links))


@register.filter
def machine_time(value):
    """A moment as HTML's datetime attribute and OpenGraph want it: local time to the second, with its offset.

    Django's ISO format ("c") carries microseconds, which a valid HTML date and time string may not.
    """
    return localtime(value).replace(microsecond=0).isoformat() if value else ""


@register.filter
def with_embeds(body):
    """Show each embed of a sanitised body as a placeholder that loads the provider's frame on the reader's click."""
    return mark_safe(embeds.placeholders(str(body)))  # noqa: S308 (markers rendered escaped, includes/embed.html)


@register.filter
def with_scrollable_tables(body):
    """Wrap each table of a sanitised body in a focusable, labelled region that scrolls on a phone."""
    opening = format_html('<div class="article__table" role="region" tabindex="0" aria-label="{}">', _("Таблица"))
    return mark_safe(str(body).replace("<table", opening + "<table").replace("</table>", "</table></div>"))  # noqa: S308
