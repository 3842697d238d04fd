"""Files sent for import, kept between the preview and the confirmation: random-named, private, their sender's only.

The confirmation names its file in a hidden field, so the name is a signed token: a random key, the sender's id
and the time, signed with the secret key. Only a token this site issued to the same user, not older than
MAX_AGE, reaches a storage; the storages derive the file's place from the verified key alone.
"""

import contextlib
import os
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from import_export import forms as import_export_forms
from import_export.tmp_storages import BaseStorage

from parties.formats import UnreadableFile, check_size

# Long enough to confirm after a lunch break, short enough that abandoned previews do not pile up.
MAX_AGE = 6 * 3600
SALT = "parties.uploads"
FOREIGN_FILE = _("Подтвердить можно только файл, который вы сами загрузили на этой странице: загрузите файл снова.")
GONE_FILE = _("Файл для импорта больше недоступен: загрузите его снова.")


class ForeignFile(Exception):
    """A confirmation that names a file this site did not issue to this user."""


def issue(owner_id):
    """Return a new token naming a file of the user `owner_id`."""
    return signing.TimestampSigner(salt=SALT).sign(f"{secrets.token_hex(16)}.{owner_id}")


def key_of(token, owner_id=None, max_age=None):
    """Return the storage key a token names, if this site issued it (to `owner_id` and within `max_age`, if given)."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise UnreadableFile(GONE_FILE) from None
    except signing.BadSignature:
        raise ForeignFile from None
    key, _dot, owner = value.partition(".")
    if owner_id is not None and owner != str(owner_id):
        raise ForeignFile
    return key


class OwnedStorage(BaseStorage):
    """A file named by a token issued to its sender when it is saved."""

    def __init__(self, owner_id=None, **kwargs):
        super().__init__(**kwargs)
        self.owner_id = owner_id

    def save(self, data):
        self.name = issue(self.owner_id)
        self.write(key_of(self.name), data)


class FolderStorage(OwnedStorage):
    """Files in a folder of the project's own, readable by its user only, on this server's disk."""

    @staticmethod
    def folder():
        folder = Path(settings.VAR_DIR) / "import-files"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder

    def path(self):
        return self.folder() / key_of(self.name)

    def write(self, key, data):
        descriptor = os.open(self.folder() / key, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        self.sweep()

    def read(self):
        with open(self.path(), "rb") as file:
            return file.read()

    def remove(self):
        self.path().unlink(missing_ok=True)

    def sweep(self):
        """Remove the files of previews nobody confirmed."""
        oldest = time.time() - MAX_AGE
        for entry in os.scandir(self.folder()):
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < oldest:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


class CacheStorage(OwnedStorage):
    """Files in the shared cache (Redis), so that the confirmation may reach another server than the preview."""

    PREFIX = "parties:import-file:"

    def write(self, key, data):
        cache.set(self.PREFIX + key, data, MAX_AGE)

    def read(self):
        data = cache.get(self.PREFIX + key_of(self.name))
        if data is None:  # confirmed twice, or gone from the cache: as a missing file on disk
            raise UnreadableFile(GONE_FILE)
        return data

    def remove(self):
        cache.delete(self.PREFIX + key_of(self.name))


class ImportForm(import_export_forms.ImportForm):
    """The upload step: a file within the size cap, noted as its sender's before it is stored."""

    def __init__(self, formats, resources, *, user, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.user = user

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except UnreadableFile as error:
            raise forms.ValidationError(str(error)) from None
        upload.owner_id = self.user.pk
        return upload


class ConfirmImportForm(import_export_forms.ConfirmImportForm):
    """The confirmation step: it names a file issued to the confirming user, or nothing is read."""

    def __init__(self, *, user, format_count=1, resource_count=1, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.format_count = format_count
        self.resource_count = resource_count

    @staticmethod
    def index_in(value, count, *, blank_ok=False):
        """A choice the preview page offered: an index below `count` (import-export calls int() on it)."""
        if blank_ok and value == "":
            return value
        if not (value.isascii() and value.isdigit() and int(value) < count):
            raise forms.ValidationError(FOREIGN_FILE)
        return value

    def clean_format(self):
        return self.index_in(self.cleaned_data["format"], self.format_count)

    def clean_resource(self):
        return self.index_in(self.cleaned_data.get("resource") or "", self.resource_count, blank_ok=True)

    def clean_import_file_name(self):
        token = self.cleaned_data["import_file_name"]
        try:
            key_of(token, owner_id=self.user.pk, max_age=MAX_AGE)
        except ForeignFile:
            raise forms.ValidationError(FOREIGN_FILE) from None
        except UnreadableFile as error:
            raise forms.ValidationError(str(error)) from None
        return token
