"""Embeds without third-party code: a paragraph that is only a link to an allow-listed provider is stored as the
provider and the id (the sanitiser makes the marker, articles/sanitize.py) and shown as a placeholder that loads
the provider's frame only when the reader asks (static/js/embeds.js).

The marker is made from the link's address alone, never from markup the editor sent: the sanitiser strips every
attribute of a pasted figure first, and each provider's patterns admit only its own addresses and ids. Nothing on
the page loads from a provider before the click: the placeholder carries the frame's address in a data attribute
and the original link as the fallback that works without JavaScript. The CSP's frame-src lists FRAME_ORIGINS.
"""

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

import nh3
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Provider:
    name: str  # what the placeholder calls the embed
    id: str  # what an id may be: named groups, which the addresses below fill in
    id_format: str  # the id as stored, from those groups
    links: tuple  # the addresses a journalist pastes, each matched whole
    page: str  # the link readers follow, from the id's groups
    frame: str  # the frame loaded on the reader's click, from the id's groups
    shape: str  # video (16:9), post (tall) or vertical (9:16): how much room the frame takes

    def parse(self, url):
        for pattern in self.links:
            found = re.fullmatch(pattern, url, re.S)
            if found:
                return self.id_format.format(**found.groupdict())
        return None


TAIL = r"(?:[/?#&].*)?"  # what may follow the id in an address: a slash, a query, a fragment
YOUTUBE_ID = r"(?P<video>[A-Za-z0-9_-]{11})"
TELEGRAM_POST = r"(?P<channel>[A-Za-z][A-Za-z0-9_]{3,31})/(?P<post>[0-9]{1,10})"
INSTAGRAM_ID = r"(?P<post>[A-Za-z0-9_-]{5,40})"
VK_ID = r"(?P<owner>-?[0-9]{1,20})_(?P<video>[0-9]{1,20})"
VK_HOSTS = r"(?i:https?://(?:www\.|m\.)?(?:vk\.com|vk\.ru|vkvideo\.ru))"
TIKTOK_ID = r"@(?P<user>[A-Za-z0-9_.]{1,30})/video/(?P<video>[0-9]{1,25})"

PROVIDERS = {
    "youtube": Provider(
        name=_("Видео YouTube"),
        id=YOUTUBE_ID,
        id_format="{video}",
        links=(
            rf"(?i:https?://(?:www\.|m\.)?youtube\.com)/watch\?(?:[^#]*&)?v={YOUTUBE_ID}(?:[&#].*)?",
            rf"(?i:https?://youtu\.be)/{YOUTUBE_ID}(?:[?#].*)?",
            rf"(?i:https?://(?:www\.|m\.)?youtube\.com)/(?:shorts|live|embed)/{YOUTUBE_ID}{TAIL}",
        ),
        page="https://www.youtube.com/watch?v={video}",
        frame="https://www.youtube-nocookie.com/embed/{video}",
        shape="video",
    ),
    "telegram": Provider(
        name=_("Пост в Telegram"),
        id=TELEGRAM_POST,
        id_format="{channel}/{post}",
        links=(rf"(?i:https?://(?:t\.me|telegram\.me))/(?:s/)?{TELEGRAM_POST}(?:[?#].*)?",),
        page="https://t.me/{channel}/{post}",
        frame="https://t.me/{channel}/{post}?embed=1",
        shape="post",
    ),
    "instagram": Provider(
        name=_("Пост в Instagram"),
        id=INSTAGRAM_ID,
        id_format="{post}",
        links=(
            rf"(?i:https?://(?:www\.)?instagram\.com)/(?:[A-Za-z0-9_.]{{1,30}}/)?(?:p|reels?|tv)/{INSTAGRAM_ID}{TAIL}",
        ),
        page="https://www.instagram.com/p/{post}/",
        frame="https://www.instagram.com/p/{post}/embed/",
        shape="post",
    ),
    "vk": Provider(
        name=_("Видео VK"),
        id=VK_ID,
        id_format="{owner}_{video}",
        links=(
            rf"{VK_HOSTS}/video{VK_ID}(?:[?#].*)?",
            # a video opened over a community's or the catalogue's page: vk.com/video?z=video-1_2%2Fpl_cat_trends
            rf"{VK_HOSTS}/[A-Za-z0-9_.]*\?(?:[^#]*&)?z=video{VK_ID}(?:[%/&#].*)?",
        ),
        page="https://vk.com/video{owner}_{video}",
        frame="https://vk.com/video_ext.php?oid={owner}&id={video}",
        shape="video",
    ),
    "tiktok": Provider(
        name=_("Видео TikTok"),
        id=TIKTOK_ID,
        id_format="@{user}/video/{video}",
        links=(rf"(?i:https?://(?:www\.|m\.)?tiktok\.com)/{TIKTOK_ID}{TAIL}",),
        page="https://www.tiktok.com/@{user}/video/{video}",
        frame="https://www.tiktok.com/embed/v2/{video}",
        shape="vertical",
    ),
}

# The origins the CSP lets frames come from (newsroom/middleware.py): the providers' frames, nothing else.
FRAME_ORIGINS = tuple(
    dict.fromkeys(f"{urlsplit(p.frame).scheme}://{urlsplit(p.frame).netloc}" for p in PROVIDERS.values())
)


def find(url):
    """(provider, id) of an address an allow-listed provider's embed is made from, else None."""
    url = url.strip()
    for key, provider in PROVIDERS.items():
        embed_id = provider.parse(url)
        if embed_id is not None:
            return key, embed_id
    return None


def addresses(key, embed_id):
    """The provider's name, the page and the frame of a stored embed, or None when the id is not one it makes."""
    provider = PROVIDERS.get(key)
    found = re.fullmatch(provider.id, embed_id) if provider else None
    if found is None:
        return None
    page_url = provider.page.format(**found.groupdict())
    return {
        "provider": key,
        "name": provider.name,
        "site": urlsplit(page_url).netloc.removeprefix("www."),
        "page_url": page_url,
        "frame_url": provider.frame.format(**found.groupdict()),
        "shape": provider.shape,
    }


# A paragraph (or a figure, as a marker is once the sanitiser has stripped its attributes) holding one link or one
# bare address and nothing else but spaces and line breaks; read in the sanitiser's normalised output.
SPACE = r"(?:\s|&nbsp;|<br>)*"
# Text, and the inline marks a link may hold; no image, no block.
LINK_TEXT = r"(?:(?!</?(?:a|p|figure|img|h[1-6]|ul|ol|li|table|blockquote|hr)\b).)*"
ALONE = re.compile(
    rf"<(?P<block>p|figure)>{SPACE}"
    rf"(?:<a (?P<attributes>[^>]*)>(?P<text>{LINK_TEXT})</a>|(?P<bare>https?://(?:(?!&nbsp;)[^\s<])+))"
    rf"{SPACE}</(?P=block)>",
    re.S,
)
HREF = re.compile(r'(?:^| )href="([^"]*)"')
# A marker as marked() writes it, and nothing else: what the page shows as a placeholder and the aggregators' feed as
# a paragraph with the link (articles/sanitize.py).
MARKER = re.compile(
    r'<figure class="embed" data-embed-provider="(?P<provider>[a-z]+)" data-embed-id="(?P<id>[^"<>]*)">'
    r'(?P<link><a href="[^"<>]*" rel="noopener noreferrer">(?P<text>[^<]*)</a>)</figure>'
)


def marked(html):
    """`html` (the sanitiser's output) with each paragraph that is only a provider's link made into a marker."""

    def mark(found):
        href = found["bare"] or (HREF.search(found["attributes"]) or [None, ""])[1]
        embed = find(unescape(href))
        if embed is None:
            return found.group()
        shown = addresses(*embed)
        text = " ".join(unescape(nh3.clean(found["text"] or "", tags=set())).split())
        if not text or text.startswith(("http://", "https://")):
            text = shown["page_url"]
        return format_html(
            '<figure class="embed" data-embed-provider="{}" data-embed-id="{}">'
            '<a href="{}" rel="noopener noreferrer">{}</a></figure>',
            *embed,
            shown["page_url"],
            text,
        )

    return ALONE.sub(mark, html)


def placeholders(html):
    """`html` (a stored body) with each marker shown as a click-to-load placeholder (includes/embed.html)."""

    def placeholder(found):
        shown = addresses(found["provider"], unescape(found["id"]))
        if shown is None:
            return format_html("<p>{}</p>", unescape(found["text"]))
        return render_to_string("includes/embed.html", {"embed": shown, "text": unescape(found["text"])}).strip()

    return MARKER.sub(placeholder, html)
