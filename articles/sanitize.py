"""Server-side HTML sanitising of rich text: an allow-list matching the editor's toolbar, giving valid HTML."""

import re

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
    """Return `html` with everything outside the allow-list removed (scripts, styles, handlers…)."""
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
    return REL_WITHOUT_ADDRESS.sub(r"\1>", cleaned).strip()


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
