"""Server-side HTML sanitising of rich text: the editor's allow-list, and a stricter one for aggregators."""

import re
from html import unescape

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4",
    "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote",
    "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}

ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str) -> str:
    """Return `html` with everything outside the allow-list removed (scripts, styles, handlers…)."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


# What news aggregators (Yandex, Dzen) take in a feed's full text: the editor's allow-list less tables,
# rules and the inline marks they do not list (their text is kept).
AGGREGATOR_TAGS = {
    "p", "h2", "h3", "h4", "b", "strong", "i", "em",
    "ul", "ol", "li", "blockquote", "a", "img", "figure", "figcaption",
}  # fmt: skip

AGGREGATOR_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}

# The sanitiser's output is normalised (lower case, no attributes on these tags), so plain replacements are exact.
AGGREGATOR_RENAMES = {"<strong>": "<b>", "</strong>": "</b>", "<em>": "<i>", "</em>": "</i>"}
# Aggregators take no tables: a row becomes a paragraph of its cells, so that words are not glued together once
# the tags go (the sanitiser runs after these replacements, whatever they make of the markup).
AGGREGATOR_FLATTENING = [
    (re.compile(r"<(tr|caption)\b[^>]*>"), "<p>"),
    (re.compile(r"</(tr|caption)>"), "</p>"),
    (re.compile(r"</t[dh]>"), " "),
    (re.compile(r"</?(table|thead|tbody|tfoot|t[dh])\b[^>]*>"), ""),
    (re.compile(r"<br>"), "\n"),
]
# Where a paragraph ends in the plain text; within one, line breaks are spaces as they are in HTML.
BLOCK_ENDS = ("</p>", "</h2>", "</h3>", "</h4>", "</li>", "</figcaption>", "</blockquote>")
PARAGRAPH_SEPARATOR = "\u2029"


def sanitize_for_aggregators(html: str, absolute) -> str:
    """Return `html` cut down to what aggregators accept, every link and image made absolute by `absolute(url)`.

    A URL that does not come out as http(s) is dropped: nothing relative or of another scheme leaves the site.
    """
    if not html:
        return ""
    for pattern, replacement in AGGREGATOR_FLATTENING:
        html = pattern.sub(replacement, html)

    def absolute_urls(tag, attribute, value):
        if attribute not in ("href", "src"):
            return value
        try:
            url = absolute(value)
        except Exception:
            # nh3 keeps the attribute as it was when the filter raises: a malformed address ("//[x") is dropped here.
            return None
        return url if url.startswith(("http://", "https://")) else None

    cleaned = nh3.clean(
        html,
        tags=AGGREGATOR_TAGS,
        attributes=AGGREGATOR_ATTRIBUTES,
        attribute_filter=absolute_urls,
        url_schemes={"http", "https"},
        link_rel=None,
        strip_comments=True,
    ).strip()
    for old, new in AGGREGATOR_RENAMES.items():
        cleaned = cleaned.replace(old, new)
    return cleaned


def plain_text(html: str) -> str:
    """Return the text of `html` without markup: each paragraph on one line, blank lines between them."""
    for end in BLOCK_ENDS:
        html = html.replace(end, end + PARAGRAPH_SEPARATOR)
    text = unescape(nh3.clean(html, tags=set()))
    paragraphs = (" ".join(paragraph.split()) for paragraph in text.split(PARAGRAPH_SEPARATOR))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
