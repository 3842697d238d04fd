"""Snapshots of an article's editable fields: revisions, comparisons, restores and edit conflicts."""

from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from articles import bylines, workflow
from articles.diffs import word_diff
from articles.models import Article, ArticleRevision, GalleryItem, Photo, RevisionPhoto
from articles.sanitize import sanitize_html

TEXT_FIELDS = ["title", "lead", "body", "byline", "language"]
# The cover is a library photo by id (its alt text, caption and credit are the photo's own, edited in the library).
FOREIGN_KEYS = ["cover_photo", "section", "region", "translation_of"]
MANY_TO_MANY = ["cities", "party_organisations", "party_projects"]
DATETIME_FIELDS = ["publish_at", "proposed_publish_at"]
OTHER_FIELDS = ["is_featured", *DATETIME_FIELDS, "tags"]
# Co-authors, in the byline's order, and the gallery's photos ([photo id, caption, credit] in order): edited in the
# form's inlines, so a snapshot of the form keeps the saved ones.
ORDERED_LINKS = ["coauthors", "gallery"]
# What a snapshot recorded before a field existed had in it: compared as such, not as a change.
BEFORE_THE_FIELD = {"coauthors": [], "gallery": []}
TRACKED_FIELDS = TEXT_FIELDS + FOREIGN_KEYS + MANY_TO_MANY + OTHER_FIELDS + ORDERED_LINKS
# A snapshot's cover_photo is the library photo's id, or this prefix and a name for a photo uploaded in a save that
# lost a conflict, kept with that unapplied revision (RevisionPhoto): in no storage nor the library until applied.
KEPT_PHOTO = "kept:"


def snapshot(article) -> dict:
    """The editable fields of a saved article as JSON-ready values."""
    data = {name: getattr(article, name) for name in TEXT_FIELDS}
    data.update({name: getattr(article, f"{name}_id") for name in FOREIGN_KEYS})
    data.update({name: sorted(getattr(article, name).values_list("pk", flat=True)) for name in MANY_TO_MANY})
    data["is_featured"] = article.is_featured
    for name in DATETIME_FIELDS:
        value = getattr(article, name)
        data[name] = value.isoformat() if value else None
    data["tags"] = sorted(article.tags.names())
    data["coauthors"] = list(article.coauthor_links.values_list("user_id", flat=True))
    data["gallery"] = [list(row) for row in article.gallery_items.values_list("photo_id", "caption", "credit")]
    return data


def snapshot_of_form(cleaned_data, current: dict) -> dict:
    """The same shape as `snapshot`, from what someone typed into the article form."""
    data = dict(current)
    for name in TEXT_FIELDS:
        if name in cleaned_data:
            data[name] = cleaned_data[name] or ""
    data["body"] = sanitize_html(data["body"])
    for name in FOREIGN_KEYS:
        if name in cleaned_data:
            data[name] = cleaned_data[name].pk if cleaned_data[name] else None
    for name in MANY_TO_MANY:
        if name in cleaned_data:
            data[name] = sorted(obj.pk for obj in cleaned_data[name])
    if "is_featured" in cleaned_data:
        data["is_featured"] = bool(cleaned_data["is_featured"])
    for name in DATETIME_FIELDS:
        if name in cleaned_data:
            value = cleaned_data[name]
            data[name] = value.isoformat() if value else None
    if "tags" in cleaned_data:
        data["tags"] = sorted(str(tag) for tag in cleaned_data["tags"])
    if isinstance(cleaned_data.get("cover_upload"), UploadedFile):
        data["cover_photo"] = KEPT_PHOTO + cleaned_data["cover_upload"].name
    return data


def is_kept_photo(value) -> bool:
    return isinstance(value, str) and value.startswith(KEPT_PHOTO)


def keep_photo(revision, upload, description=None) -> RevisionPhoto:
    """Keep a photo checked by articles.images, and its alt text, caption and credit, with the unapplied `revision`,
    out of the media storage and the library."""
    upload.seek(0)
    return RevisionPhoto.objects.create(
        revision=revision,
        name=upload.name,
        content_type=upload.content_type,
        content=upload.read(),
        **(description or {}),
    )


def kept_photo(revision) -> RevisionPhoto | None:
    """The photo kept with `revision`, if its snapshot names one."""
    if not is_kept_photo(revision.data.get("cover_photo")):
        return None
    return RevisionPhoto.objects.filter(revision=revision).first()


def record(article, by, *, is_applied=True, data=None, version=None) -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=article,
        data=data if data is not None else snapshot(article),
        version=version if version is not None else article.version,
        is_applied=is_applied,
        created_by=by,
    )


def current(article, by) -> ArticleRevision:
    """The revision holding the article as saved now; recorded if its last save wrote none."""
    revision = article.revisions.filter(version=article.version, is_applied=True).first()
    return revision or record(article, by)


def base_snapshot(article, version) -> dict | None:
    """The article as it was at `version` (the last applied revision of that version)."""
    revision = article.revisions.filter(version=version, is_applied=True).order_by("-created_at", "-id").first()
    return revision.data if revision else None


def changed_fields(before: dict, after: dict) -> list[str]:
    def value(data, name):
        return data.get(name, BEFORE_THE_FIELD.get(name))

    return [name for name in TRACKED_FIELDS if value(before, name) != value(after, name)]


def restore(article, revision, by) -> ArticleRevision:
    """Put the fields of `revision` back as a new revision; the workflow state and what `by` may not change stay.

    A photo kept with an unapplied revision enters the library now, as if uploaded again, and becomes the cover.
    """
    kept = workflow.readonly_fields(by, article)
    data = {name: value for name, value in revision.data.items() if name not in kept}
    put_back(article, data)
    photo = kept_photo(revision)
    if photo is not None and "cover_photo" not in kept:
        article.cover_photo = Photo.objects.create_from_upload(photo.as_upload(), by, **photo.description())
    article.save()
    for name in MANY_TO_MANY:
        getattr(article, name).set(data.get(name) or [])
    article.tags.set(data.get("tags") or [])
    if "coauthors" in data:  # revisions older than co-authors leave them as they are
        put_back_coauthors(article, data["coauthors"])
    if "gallery" in data:  # likewise the gallery
        put_back_gallery(article, data["gallery"])
    return record(article, by)


def put_back_coauthors(article, user_ids):
    article.coauthor_links.all().delete()
    for order, user_id in enumerate(user_ids):
        article.coauthor_links.create(user_id=user_id, order=order)


def put_back_gallery(article, rows):
    """The gallery as `rows` had it, without the photos deleted from the library since."""
    existing = set(Photo.objects.filter(pk__in=[row[0] for row in rows]).values_list("pk", flat=True))
    article.gallery_items.all().delete()
    for position, (photo_id, caption, credit) in enumerate(rows, start=1):
        if photo_id in existing:
            article.gallery_items.create(photo_id=photo_id, position=position, caption=caption, credit=credit)


def put_back(article, data):
    """Set the fields of `article` held in snapshot `data`, except tags and many-to-many links."""
    for name in TEXT_FIELDS:
        if name in data:
            setattr(article, name, data[name] or "")
    for name in FOREIGN_KEYS:
        if name in data and not is_kept_photo(data[name]):
            setattr(article, f"{name}_id", data[name])
    if "is_featured" in data:
        article.is_featured = bool(data["is_featured"])
    for name in DATETIME_FIELDS:
        if data.get(name):
            setattr(article, name, parse_datetime(data[name]))


def as_of(article, data) -> Article:
    """An unsaved copy of `article` as snapshot `data` holds it, to show a version without saving it."""
    values = {field.attname: getattr(article, field.attname) for field in Article._meta.concrete_fields}
    shown = Article(**values)
    shown.author = article.author
    put_back(shown, {name: value for name, value in data.items() if name not in DATETIME_FIELDS})
    return shown


def display_value(name, value) -> str:
    """A value of a snapshot as the newsroom reads it."""
    if value in (None, "", []):
        return "—"
    if is_kept_photo(value):
        return _("новое фото (ещё не применено)")
    if name == "gallery":
        photos = Photo.objects.in_bulk([photo_id for photo_id, _caption, _credit in value])
        shown = [(str(photos.get(photo_id, "—")), caption) for photo_id, caption, _credit in value]
        return "; ".join(f"{photo} ({caption})" if caption else photo for photo, caption in shown)
    field = Article._meta.get_field(name) if name != "tags" else None
    if name in FOREIGN_KEYS:
        obj = field.related_model.objects.filter(pk=value).first()
        return str(obj) if obj else "—"
    if name in MANY_TO_MANY:
        return ", ".join(str(obj) for obj in field.related_model.objects.filter(pk__in=value)) or "—"
    if name in ORDERED_LINKS:
        people = field.related_model.objects.select_related("author_profile").in_bulk(value)
        return ", ".join(bylines.display_name(people[pk]) for pk in value if pk in people) or "—"
    if name == "tags":
        return ", ".join(value)
    if name == "is_featured":
        return "да" if value else "нет"
    if name in DATETIME_FIELDS:
        moment = parse_datetime(value) if isinstance(value, str) else value
        return moment.strftime("%d.%m.%Y %H:%M") if isinstance(moment, datetime) else str(value)
    return str(value)


def field_label(name) -> str:
    if name == "tags":
        return "теги"
    if name == "gallery":
        return str(GalleryItem._meta.verbose_name_plural)
    return str(Article._meta.get_field(name).verbose_name)


def comparison_rows(old: dict, new: dict, names=None):
    """Rows (label, old shown, new shown, diff of words, and of the body's formatting and links) for changed fields."""
    rows = []
    for name in names or changed_fields(old, new):
        old_shown, new_shown = display_value(name, old.get(name)), display_value(name, new.get(name))
        rows.append(
            {
                "name": name,
                "label": field_label(name),
                "old": old_shown,
                "new": new_shown,
                "diff": word_diff(old_shown, new_shown, rich=name == "body"),
            }
        )
    return rows


def render_rows(rows) -> str:
    return format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", ((row["label"], row["diff"]) for row in rows))
