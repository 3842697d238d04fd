"""The backup archive: a plain tar of database.dump, media/… and, last, manifest.json with their checksums.

The dump is compressed already and photos do not compress, so the tar is not. The manifest comes last: an
archive cut short anywhere has lost it, or part of it, and is refused as a whole.
"""

import hashlib
import io
import json
import os
import re
import tarfile
import time
from pathlib import Path

FORMAT = "newsroom-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
NAME = re.compile(r"^newsroom-(\d{8}T\d{6}Z)(?:-(\d+))?\.tar$")
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
CHUNK = 1024 * 1024


class DamagedArchive(Exception):
    """The archive is unreadable, incomplete, altered or unsafe to unpack."""


class HashingReader:
    """A file wrapper that hashes what tarfile reads from it."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def archive_name(stamp, attempt=0):
    base = f"newsroom-{stamp:%Y%m%dT%H%M%SZ}"
    return f"{base}.tar" if attempt == 0 else f"{base}-{attempt}.tar"


def sort_key(path):
    match = NAME.match(path.name)
    return match.group(1), int(match.group(2) or 0)


def write(path, members, manifest):
    """Write the tar at `path`: each (member name, source file) in turn, then the manifest with their checksums."""
    manifest["members"] = {}
    with open(path, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, source in members:
                manifest["members"][name] = add_file(tar, name, source)
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            tar.addfile(member_info(MANIFEST, len(data), time.time()), io.BytesIO(data))
        raw.flush()
        os.fsync(raw.fileno())


def member_info(name, size, mtime):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    return info


def add_file(tar, name, source):
    with open(source, "rb") as file:
        stat = os.fstat(file.fileno())
        reader = HashingReader(file)
        tar.addfile(member_info(name, stat.st_size, stat.st_mtime), reader)
    return {"sha256": reader.sha256.hexdigest(), "size": stat.st_size}


def check_name(name):
    """Refuse a member name that could land outside the folder it is unpacked into, or that we never write."""
    parts = name.split("/")
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise DamagedArchive(f"unsafe member name {name!r} (absolute, '..', or not a plain relative path)")
    if name not in (MANIFEST, DUMP) and not (parts[0] == MEDIA and len(parts) > 1):
        raise DamagedArchive(f"unexpected member {name!r}: not something `manage.py backup` writes")


def unpack(archive, destination):
    """Check every member of `archive` and unpack it under `destination`; return the verified manifest.

    Writes destination/database.dump and destination/media/… and nothing else; links and special files are
    refused, never created. Raises DamagedArchive when the archive cannot be read to its end, a member is unsafe
    or unexpected, or the members and the manifest's checksums disagree.
    """
    destination = Path(destination)
    found, manifest_data = {}, None
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                check_name(member.name)
                if member.name in found or (member.name == MANIFEST and manifest_data is not None):
                    raise DamagedArchive(f"member {member.name!r} appears twice")
                if not member.isreg():
                    raise DamagedArchive(f"member {member.name!r} is a link or a special file, not a plain file")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    if member.size > MAX_MANIFEST_BYTES:
                        raise DamagedArchive("the manifest is implausibly large")
                    manifest_data = source.read()
                    continue
                found[member.name] = copy_out(source, destination, member.name)
    except (tarfile.TarError, EOFError) as error:
        raise DamagedArchive(f"cannot read it to the end ({error}): truncated, damaged or not a tar file") from error
    if manifest_data is None:
        raise DamagedArchive(f"it has no {MANIFEST}: cut short, or not made by `manage.py backup`")
    manifest = parse_manifest(manifest_data)
    compare(manifest["members"], found)
    return manifest


def copy_out(source, destination, name):
    """Write one member below `destination`, hashing it; the file is new (never an existing one, never a link)."""
    target = destination.joinpath(*name.split("/"))
    if not target.resolve().is_relative_to(destination.resolve()):
        raise DamagedArchive(f"member {name!r} would be written outside the folder it is restored into")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except (FileExistsError, NotADirectoryError, IsADirectoryError) as error:
        raise DamagedArchive(f"member {name!r} clashes with another member's path") from error
    sha256, size = hashlib.sha256(), 0
    with os.fdopen(descriptor, "wb") as file:
        while chunk := source.read(CHUNK):
            sha256.update(chunk)
            size += len(chunk)
            file.write(chunk)
    return {"sha256": sha256.hexdigest(), "size": size}


def parse_manifest(data):
    try:
        manifest = json.loads(data)
    except ValueError as error:
        raise DamagedArchive(f"its {MANIFEST} is not valid JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DamagedArchive(f"its {MANIFEST} is not a Newsroom backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DamagedArchive(
            f"it is format version {manifest.get('format_version')!r}; this Newsroom reads version {FORMAT_VERSION}"
        )
    if not isinstance(manifest.get("members"), dict) or DUMP not in manifest["members"]:
        raise DamagedArchive(f"its {MANIFEST} lists no {DUMP}")
    if not isinstance(manifest.get("media"), dict) or not isinstance(manifest.get("counts"), dict):
        raise DamagedArchive(f"its {MANIFEST} lacks the media description or the counts")
    return manifest


def compare(listed, found):
    """Every listed member present with its checksum and size, and nothing unlisted."""
    missing = sorted(set(listed) - set(found))
    if missing:
        raise DamagedArchive(f"{len(missing)} member(s) listed in the manifest are missing, e.g. {missing[0]!r}")
    unlisted = sorted(set(found) - set(listed))
    if unlisted:
        raise DamagedArchive(f"member {unlisted[0]!r} is not listed in the manifest")
    for name, actual in sorted(found.items()):
        expected = listed[name]
        if not isinstance(expected, dict) or expected.get("sha256") != actual["sha256"]:
            raise DamagedArchive(f"checksum mismatch for {name!r}: its content is not what was backed up")
        if expected.get("size") != actual["size"]:
            raise DamagedArchive(f"size mismatch for {name!r}")
