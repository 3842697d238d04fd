import json
from urllib.parse import quote

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from newsroom.absolute import build_absolute

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, code):
    """The current page in language `code`: Russian unprefixed, every other language under its prefix.

    The public pages are all under i18n_patterns (newsroom/urls.py), so the language is the path's prefix
    alone: no need to resolve the path and reverse it again (django.urls.translate_url) on every page.
    """
    request = context["request"]
    path = request.path
    current = get_language()
    if current != settings.LANGUAGE_CODE and path.startswith(f"/{current}/"):
        path = path[len(current) + 1 :]
    url = path if code == settings.LANGUAGE_CODE else f"/{code}{path}"
    query = request.GET.urlencode()  # re-encoded: a raw UTF-8 query must not leak into the link
    return f"{url}?{query}" if query else url


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """`path` as an absolute link, on NEWSROOM_SITE_URL when it is set."""
    return build_absolute(context["request"], path)


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, tags, url):
    """A JSON-LD NewsArticle block for search engines; `url` is the story's absolute address."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.lead,
        "inLanguage": article.language,
        "datePublished": article.publish_at.isoformat() if article.publish_at else None,
        "dateModified": (article.corrected_at or article.publish_at or article.updated_at).isoformat(),
        "author": [{"@type": "Person", "name": article.author_display}],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.NEWSROOM_SITE_NAME,
            "url": build_absolute(request, "/"),
            "logo": {"@type": "ImageObject", "url": build_absolute(request, static("img/logo.png"))},
        },
        "keywords": [tag.name for tag in tags],
    }
    if article.section:
        data["articleSection"] = article.section.name
    if article.cover_image:
        data["image"] = [build_absolute(request, article.cover_open_graph.url)]
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag
def share_links(article, url):
    """Share links for the messengers and networks readers in Kazakhstan use; `url` is the story's absolute address."""
    url = quote(url, safe="")
    title = quote(article.title, safe="")
    return [
        ("telegram", "Telegram", f"https://t.me/share/url?url={url}&text={title}"),
        ("whatsapp", "WhatsApp", f"https://wa.me/?text={title}%20{url}"),
        ("vk", "ВКонтакте", f"https://vk.com/share.php?url={url}&title={title}"),
        ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={url}"),
        ("x", "X", f"https://twitter.com/intent/tweet?url={url}&text={title}"),
    ]


@register.filter
def with_scrollable_tables(body):
    """Wrap each table of a sanitised body in a focusable, labelled region that scrolls on a phone."""
    opening = format_html('<div class="article__table" role="region" tabindex="0" aria-label="{}">', _("Таблица"))
    return mark_safe(str(body).replace("<table", opening + "<table").replace("</table>", "</table></div>"))  # noqa: S308
