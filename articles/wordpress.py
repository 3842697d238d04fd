"""A WordPress export (WXR) read into plain data, and a post's body turned into what our editor stores.

Reading takes the whole file first: a file that is not well-formed XML, or not a WordPress export, raises
ExportError and nothing is imported (articles/wordpress_import.py writes the stories).
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext as _

NAMESPACES = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
# WordPress's default category, which says the post has none: «Без рубрики» in Russian, uncategorized in English.
DEFAULT_CATEGORY_SLUGS = {"uncategorized", "без-рубрики"}
UPLOADS_PATH = "/wp-content/uploads/"


class ExportError(Exception):
    """The file cannot be imported at all; the message says why."""


@dataclass(frozen=True)
class Author:
    login: str
    display_name: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class Attachment:
    id: int
    url: str
    alt: str


@dataclass
class Post:
    id: int
    post_type: str
    status: str
    title: str
    link: str
    creator: str
    body: str
    excerpt: str
    date: datetime | None
    categories: list = field(default_factory=list)  # (slug, name)
    tags: list = field(default_factory=list)  # names
    thumbnail_id: int | None = None


@dataclass
class Export:
    site: str
    authors: dict  # login → Author
    posts: list  # every item but attachments, in the file's order
    attachments: dict  # id → Attachment

    def upload_path(self, url):
        """The path of `url` under the old site's uploads folder (2025/01/photo.jpg), or None for another address."""
        site, address = urlsplit(self.site), urlsplit(url)
        if address.netloc != site.netloc or not address.path.startswith(site.path.rstrip("/") + UPLOADS_PATH):
            return None
        relative = unquote(address.path[len(site.path.rstrip("/") + UPLOADS_PATH) :])
        parts = relative.split("/")
        return None if not relative or any(part in ("", ".", "..") for part in parts) else relative


def text(element, path):
    return (element.findtext(path, default="", namespaces=NAMESPACES) or "").strip()


def number(value):
    return int(value) if value.strip().isdigit() else None


def post_date(item):
    """When the post was (or is to be) published, in UTC; a draft WordPress never dated has none."""
    value = text(item, "wp:post_date_gmt")
    if value and not value.startswith("0000"):
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(text(item, "pubDate")) if text(item, "wp:status") != "draft" else None
    except (TypeError, ValueError):
        return None


def meta(item):
    return {
        text(entry, "wp:meta_key"): text(entry, "wp:meta_value") for entry in item.findall("wp:postmeta", NAMESPACES)
    }


def read_export(path) -> Export:
    """Read the whole WXR file at `path`, or raise ExportError saying why it cannot be imported."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        raise ExportError(_("Файл повреждён или обрезан, это не XML (%(error)s).") % {"error": error}) from error
    except OSError as error:
        raise ExportError(_("Файл не читается: %(error)s.") % {"error": error.strerror or error}) from error
    channel = root.find("channel")
    if root.tag != "rss" or channel is None or not text(channel, "wp:wxr_version"):
        raise ExportError(_("Это не экспорт WordPress (WXR): нет элемента wp:wxr_version."))
    site = text(channel, "wp:base_site_url") or text(channel, "wp:base_blog_url") or text(channel, "link")
    authors = {}
    for entry in channel.findall("wp:author", NAMESPACES):
        author = Author(
            login=text(entry, "wp:author_login"),
            display_name=text(entry, "wp:author_display_name"),
            first_name=text(entry, "wp:author_first_name"),
            last_name=text(entry, "wp:author_last_name"),
        )
        authors[author.login] = author
    posts, attachments = [], {}
    for item in channel.findall("item"):
        post_id = number(text(item, "wp:post_id"))
        if post_id is None:
            raise ExportError(_("В файле есть запись без номера (wp:post_id): файл неполный."))
        post_meta = meta(item)
        if text(item, "wp:post_type") == "attachment":
            url = text(item, "wp:attachment_url") or text(item, "guid")
            attachments[post_id] = Attachment(post_id, url, post_meta.get("_wp_attachment_image_alt", ""))
            continue
        posts.append(
            Post(
                id=post_id,
                post_type=text(item, "wp:post_type"),
                status=text(item, "wp:status"),
                title=text(item, "title"),
                link=text(item, "link"),
                creator=text(item, "dc:creator"),
                body=item.findtext("content:encoded", default="", namespaces=NAMESPACES) or "",
                excerpt=text(item, "excerpt:encoded"),
                date=post_date(item),
                categories=[
                    (unquote(term.get("nicename", "")), (term.text or "").strip())
                    for term in item.findall("category")
                    if term.get("domain") == "category"
                ],
                tags=[
                    (term.text or "").strip() for term in item.findall("category") if term.get("domain") == "post_tag"
                ],
                thumbnail_id=number(post_meta.get("_thumbnail_id", "")),
            )
        )
    return Export(site=site.rstrip("/"), authors=authors, posts=posts, attachments=attachments)


BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.S)
CAPTION = re.compile(r"\[caption\b[^\]]*\](?P<inner>.*?)\[/caption\]", re.S)
# The image (or a link around it) a [caption] starts with; the rest is the caption's text.
CAPTION_MEDIA = re.compile(r"^\s*(?P<media>(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(?P<text>.*)$", re.S)
# Shortcodes: [name …], [/name]; names are ASCII, so bracketed words of Russian text are left alone.
SHORTCODE = re.compile(r"\[(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9_-]*)(?:\s[^\[\]]*)?/?\]")
IMAGE_SOURCE = re.compile(r'(<img\b[^>]*?\bsrc=)(["\'])(?P<src>[^"\']*)\2', re.S)
BLOCK_TAG = re.compile(r"<(?:p|h[1-6]|ul|ol|figure|blockquote|table|div)\b", re.I)
# WordPress's own resized copies (photo-1024x640.jpg) of an upload: the original is what an export's folder keeps.
RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")


@dataclass
class Body:
    html: str
    removed_shortcodes: list = field(default_factory=list)
    image_urls: list = field(default_factory=list)


def paragraphs(html):
    """Classic-editor text keeps paragraphs as blank lines (WordPress adds the <p> on display): add them to the
    chunks that do not start with a block of their own."""
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", html) if chunk.strip()]
    return "\n".join(
        chunk if BLOCK_TAG.match(chunk) else f"<p>{chunk.replace(chr(10), '<br>')}</p>" for chunk in chunks
    )


def figure(found):
    """A [caption] as the figure our editor makes: the image, then its caption."""
    parts = CAPTION_MEDIA.match(found["inner"])
    if parts is None:
        return found["inner"]
    caption = parts["text"].strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{parts['media']}{figcaption}</figure>"


def convert_body(html) -> Body:
    """The post's HTML without block comments, captions made figures, other shortcodes removed (and named).

    The sanitiser (articles/sanitize.py) still runs on save, as on every body: it turns a provider's bare link
    (an embed block) into the embed's marker and removes whatever the allow-list does not keep.
    """
    is_blocks = BLOCK_COMMENT.search(html) is not None  # the block editor's posts carry their own <p>
    html = BLOCK_COMMENT.sub("", html)
    html = CAPTION.sub(figure, html)
    removed = []

    def remove(found):
        removed.append(found["name"].lower())
        return ""

    html = SHORTCODE.sub(remove, html).strip()
    html = re.sub(r"\n\s*\n+", "\n", html) if is_blocks else paragraphs(html)
    urls = [unescape_attribute(found["src"]) for found in IMAGE_SOURCE.finditer(html)]
    return Body(html=html, removed_shortcodes=sorted(set(removed)), image_urls=urls)


def unescape_attribute(value):
    return value.replace("&amp;", "&")


def replace_image_sources(html, new_urls):
    """`html` with each image's address in `new_urls` (old address → new) replaced."""

    def replace(found):
        new = new_urls.get(unescape_attribute(found["src"]))
        return found.group() if new is None else f"{found.group(1)}{found.group(2)}{escape(new)}{found.group(2)}"

    return IMAGE_SOURCE.sub(replace, html)


def original_upload(relative):
    """The path of the original of a resized copy (2025/01/photo-300x188.jpg → 2025/01/photo.jpg)."""
    return RESIZED.sub("", relative)
