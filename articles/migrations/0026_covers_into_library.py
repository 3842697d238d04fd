"""Every article's cover becomes a library photo (the same file, not a copy), with its alt text, caption and credit.

A revision's snapshot names its cover by the photo's id from now on: a cover an older revision names becomes a
library photo too, so restoring that revision still brings it back. Reversible: the covers go back onto the
articles and the snapshots name files again (the photos stay, until migration 0024 is reversed too).
"""

from django.db import migrations

KEPT_PHOTO = "kept:"  # articles/revisions.py: a photo kept with an unapplied revision, not a stored file
DESCRIPTION = {"cover_alt": "alt_text", "cover_caption": "caption", "cover_credit": "credit"}


def library_photo(Photo, name, **fields):
    # Created without its file, which is then set by update(): an ImageField reads the image on assignment
    # when its width and height are unknown, and a file missing from the storage must not stop the migration.
    photo = Photo.objects.create(**fields)
    Photo.objects.filter(pk=photo.pk).update(file=name)
    return photo.pk


def move_covers(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleRevision = apps.get_model("articles", "ArticleRevision")
    Photo = apps.get_model("articles", "Photo")
    # A file already in the library (the migration reversed and run again) keeps its photo.
    photo_of_file = dict(Photo.objects.values_list("file", "pk"))
    covers = Article.objects.exclude(cover_image="").order_by("pk")
    columns = ("pk", "cover_image", "cover_width", "cover_height", *DESCRIPTION, "author_id", "created_at")
    for pk, name, width, height, alt, caption, credit, author_id, created_at in covers.values_list(*columns):
        if name not in photo_of_file:
            photo_of_file[name] = library_photo(
                Photo,
                name,
                width=width,
                height=height,
                alt_text=alt,
                caption=caption,
                credit=credit,
                uploaded_by_id=author_id,
                uploaded_at=created_at,
            )
        # update(): not a save, so no new version, correction stamp or revision
        Article.objects.filter(pk=pk).update(cover_photo=photo_of_file[name])
    revisions = ArticleRevision.objects.filter(data__has_key="cover_image").select_related("article")
    for revision in revisions.order_by("pk").iterator(chunk_size=500):
        data = revision.data
        name = data.pop("cover_image") or ""
        description = {field: data.pop(key, "") or "" for key, field in DESCRIPTION.items()}
        if name.startswith(KEPT_PHOTO):
            data["cover_photo"] = name
            kept = apps.get_model("articles", "RevisionPhoto").objects.filter(revision=revision)
            kept.update(**description)
        elif name:
            if name not in photo_of_file:
                photo_of_file[name] = library_photo(
                    Photo,
                    name,
                    uploaded_by_id=revision.article.author_id,
                    uploaded_at=revision.created_at,
                    **description,
                )
            data["cover_photo"] = photo_of_file[name]
        else:
            data["cover_photo"] = None
        revision.save(update_fields=["data"])


def move_covers_back(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleRevision = apps.get_model("articles", "ArticleRevision")
    Photo = apps.get_model("articles", "Photo")
    photos = {photo["pk"]: photo for photo in Photo.objects.values("pk", "file", "width", "height", *DESCRIPTION.values())}
    for pk, photo_id in Article.objects.exclude(cover_photo=None).values_list("pk", "cover_photo"):
        photo = photos[photo_id]
        Article.objects.filter(pk=pk).update(
            cover_image=photo["file"],
            cover_width=photo["width"],
            cover_height=photo["height"],
            **{key: photo[field] for key, field in DESCRIPTION.items()},
        )
    for revision in ArticleRevision.objects.filter(data__has_key="cover_photo").order_by("pk").iterator(chunk_size=500):
        data = revision.data
        value = data.pop("cover_photo")
        if isinstance(value, str) and value.startswith(KEPT_PHOTO):
            data["cover_image"] = value
        elif value in photos:
            data["cover_image"] = photos[value]["file"]
            data.update({key: photos[value][field] for key, field in DESCRIPTION.items()})
        else:
            data["cover_image"] = ""
        revision.save(update_fields=["data"])


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0025_cover_photo"),
    ]

    operations = [
        migrations.RunPython(move_covers, move_covers_back),
    ]
