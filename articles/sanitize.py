"""Server-side HTML sanitising of rich text: the editor's allow-list giving valid HTML, and a stricter one for
aggregators."""

import re
from html import unescape

import nh3

from articles import embeds

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
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Attributes kept only with the values HTML allows (nh3 drops any other value).
ALLOWED_VALUES = {"th": {"scope": {"row", "col", "rowgroup", "colgroup"}}}
# The numbers HTML allows in each numeric attribute, lowest and highest (None: no limit); a paste from a word
# processor brings width="100%".
NUMBERS = {"width": (0, None), "height": (0, None), "start": (None, None), "colspan": (1, 1000), "rowspan": (0, 65534)}

ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "noopener noreferrer"
# nh3 gives every <a> the rel; HTML allows rel only on a link with an address (a pasted bookmark has none).
REL_WITHOUT_ADDRESS = re.compile(rf'(<a(?: title="[^"]*")?) rel="{LINK_REL}">')


def sanitize_html(html: str) -> str:
    """Return `html` with everything outside the allow-list removed (scripts, styles, handlers…), and each paragraph
    that is only a link to an allow-listed provider made into the embed's marker (articles/embeds.py)."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_VALUES,
        attribute_filter=valid_value,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return embeds.marked(REL_WITHOUT_ADDRESS.sub(r"\1>", cleaned).strip())


def valid_value(element, attribute, value):
    """`value` as HTML allows it for this attribute, or None to drop an invalid one (never guessed at)."""
    if attribute in NUMBERS:
        low, high = NUMBERS[attribute]
        value = value.strip()
        if not re.fullmatch(r"\d+" if low is not None else r"-?\d+", value):
            return None
        number = int(value)
        return value if (low is None or number >= low) and (high is None or number <= high) else None
    if element == "a" and attribute == "href" and value.lower().startswith("tel:"):
        return re.sub(r"\s", "", value)  # a number typed as «+7 (7152) 46-12-00»: an address has no spaces
    return value


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
    (embeds.MARKER, r"<p>\g<link></p>"),  # an embed is a link to the original
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
