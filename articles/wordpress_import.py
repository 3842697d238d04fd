"""A WordPress export (articles/wordpress.py) made into stories: authors, places, tags, photos, states, old addresses.

The whole import is one transaction (the command's); a post imported before is skipped whole, so a second run
changes nothing. Photos enter the photo library through store_photo() alone.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import Max, Q
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from articles import revisions, wordpress, workflow
from articles.models import Article, ImportedPost, LegacyRedirect, Photo, Section
from articles.models.legacy import old_path
from articles.models.slugs import unique_slug
from articles.sanitize import plain_text, sanitize_html
from regions.models import Region

IMPORTED_STATUSES = {"publish", "draft", "future"}
DEFAULT_SECTION = ("Новости", "novosti")
LEAD_LENGTH = 300


def store_photo(path, alt, by) -> Photo:
    """Put the photo file at `path` into the photo library, checked and stripped of metadata by the one upload path.

    The one place the import stores a photo: raises ValidationError for a file articles.images refuses.
    """
    with open(path, "rb") as source:
        return Photo.objects.create_from_upload(File(source, name=Path(path).name), by, alt_text=alt[:255])


@dataclass
class Report:
    imported: dict = field(default_factory=lambda: {"published": 0, "draft": 0, "scheduled": 0})
    already: int = 0
    skipped: list = field(default_factory=list)  # (post, reason)
    missing_files: list = field(default_factory=list)  # (post, file)
    notes: list = field(default_factory=list)  # (post, note)
    users_created: list = field(default_factory=list)


def label(post):
    return f"№{post.id} «{post.title or _('без заголовка')}»"


class Importer:
    def __init__(self, export, media_dir, by):
        self.export, self.media_dir, self.by = export, Path(media_dir) if media_dir else None, by
        self.report = Report()
        self.photos = {}  # upload path → library Photo, each file stored once per run
        self.users = {}

    def run(self) -> Report:
        done = set(ImportedPost.objects.filter(site=self.export.site).values_list("post_id", flat=True))
        for post in self.export.posts:
            reason = self.refusal(post)
            if reason:
                self.report.skipped.append((label(post), reason))
            elif post.id in done:
                self.report.already += 1
            else:
                self.import_post(post)
        return self.report

    def refusal(self, post):
        if post.post_type != "post":
            return _("тип «%(type)s» не переносится: переносятся только записи") % {"type": post.post_type}
        if post.status not in IMPORTED_STATUSES:
            return _("статус «%(status)s» не переносится: переносятся опубликованные, черновики и запланированные") % {
                "status": post.status
            }
        return None

    def import_post(self, post):
        body = wordpress.convert_body(post.body)
        if body.removed_shortcodes:
            self.note(post, _("удалены шорткоды: %(names)s") % {"names": ", ".join(body.removed_shortcodes)})
        html = wordpress.replace_image_sources(body.html, self.body_images(post, body.image_urls))
        section, region, extra_tags = self.place(post)
        article = Article(
            title=post.title[:255] or _("Без заголовка"),
            lead=self.lead(post, html),
            body=html,
            section=section,
            region=region,
            author=self.author(post.creator),
        )
        article.cover_photo = self.cover(post)
        article.save()
        article.tags.set([*post.tags, *extra_tags])
        article.refresh_search_vector()
        revisions.record(article, self.by)
        self.publish(post, article)
        ImportedPost.objects.create(site=self.export.site, post_id=post.id, article=article)
        self.redirect(post, article)

    def publish(self, post, article):
        if post.status == "draft":
            self.report.imported["draft"] += 1
            return
        try:
            workflow.apply(article, "publish", by=self.by, publish_at=post.date, notify=False)
        except workflow.WorkflowError as error:
            self.note(post, _("оставлен черновиком: %(error)s") % {"error": error})
            self.report.imported["draft"] += 1
            return
        self.report.imported["scheduled" if article.is_scheduled() else "published"] += 1

    def note(self, post, text):
        self.report.notes.append((label(post), text))

    def lead(self, post, html):
        """The excerpt; without one, the start of the first paragraph (the publication gate asks for a lead)."""
        source = plain_text(sanitize_html(post.excerpt)) if post.excerpt else plain_text(sanitize_html(html))
        first = source.split("\n\n")[0] if source else ""
        return Truncator(" ".join(first.split())).chars(LEAD_LENGTH)

    def author(self, login):
        """The user of the WordPress author `login`: one with that username, else a new inactive journalist."""
        if login not in self.users:
            User = get_user_model()
            user = User.objects.filter(username=login).first()
            if user is None:
                source = self.export.authors.get(login) or wordpress.Author(login, login, "", "")
                first, last = source.first_name, source.last_name
                if not (first or last) and source.display_name != login:
                    first, _space, last = source.display_name.partition(" ")
                user = User(username=login, first_name=first[:150], last_name=last[:150], is_active=False)
                user.set_unusable_password()
                user.save()
                user.groups.add(*Group.objects.filter(name="Journalists"))
                self.report.users_created.append(login)
            self.users[login] = user
        return self.users[login]

    def place(self, post):
        """The post's region (a category named as one of ours), its section (the first other category) and the
        names of the categories left over, kept as tags."""
        region = section = None
        extra = []
        for slug, name in post.categories:
            if slug.lower() in wordpress.DEFAULT_CATEGORY_SLUGS:
                continue
            found = Region.objects.filter(Q(slug=slug) | Q(name__iexact=name) | Q(name_kk__iexact=name)).first()
            if found is not None and region is None:
                region = found
            elif section is None:
                section = self.section(slug, name)
            else:
                extra.append(name)
        return section or self.section(*reversed(DEFAULT_SECTION)), region, extra

    def section(self, slug, name):
        found = Section.objects.filter(Q(name__iexact=name) | Q(slug=slug)).first()
        if found is not None:
            return found
        max_length = Section._meta.get_field("slug").max_length
        order = (Section.objects.aggregate(last=Max("order"))["last"] or 0) + 1
        slug = unique_slug(Section.objects.all(), slug or name, max_length, "rubrika")
        return Section.objects.create(name=name[:80], slug=slug, order=order)

    def photo(self, post, url, alt):
        """The library photo of the upload at `url` (stored once per run), or None, reported, when it cannot be."""
        relative = self.export.upload_path(url)
        if relative is None:
            return None
        key = relative
        if key in self.photos and alt and not self.photos[key].alt_text:
            # met first in a text, without a description; now a cover, with its attachment's
            self.photos[key].alt_text = alt[:255]
            self.photos[key].save(update_fields=["alt_text"])
        if key not in self.photos:
            path = self.file_of(relative)
            if path is None:
                self.report.missing_files.append((label(post), relative))
                return None
            try:
                self.photos[key] = store_photo(path, alt, self.by)
            except ValidationError as error:
                self.note(
                    post, _("фото %(file)s не принято: %(error)s") % {"file": relative, "error": error.messages[0]}
                )
                return None
        return self.photos[key]

    def file_of(self, relative):
        """The file of the upload in the --media folder; for a resized copy WordPress made, its original."""
        if self.media_dir is None:
            return None
        for candidate in (relative, wordpress.original_upload(relative)):
            path = self.media_dir / candidate
            if path.is_file() and path.resolve().is_relative_to(self.media_dir.resolve()):
                return path
        return None

    def cover(self, post):
        if post.thumbnail_id is None:
            return None
        attachment = self.export.attachments.get(post.thumbnail_id)
        if attachment is None:
            self.note(post, _("нет вложения №%(id)s для главного фото") % {"id": post.thumbnail_id})
            return None
        return self.photo(post, attachment.url, attachment.alt)

    def body_images(self, post, urls):
        """Old address → our address of each body image found under the old site's uploads."""
        found = {}
        for url in urls:
            photo = self.photo(post, url, "")
            if photo is not None:
                found[url] = photo.file.url
        return found

    def redirect(self, post, article):
        """The old addresses of the post (its permalink and /?p=ID) lead to the story from now on."""
        paths = {old_path(post.link) if post.link else None, old_path(f"{self.export.site}/?p={post.id}")}
        for path in sorted(filter(None, paths)):
            if len(path) > LegacyRedirect._meta.get_field("old_path").max_length:
                continue
            existing = LegacyRedirect.objects.filter(old_path=path).first()
            if existing is None:
                LegacyRedirect.objects.create(old_path=path, article=article)
            elif existing.article_id != article.pk:
                self.note(post, _("старый адрес %(path)s уже ведёт на другой материал") % {"path": path})
