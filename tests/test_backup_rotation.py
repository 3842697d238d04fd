"""`manage.py backup` keeps the newest N archives, private to their owner, and touches no other file."""

import io
import stat

import pytest
from django.core.management import CommandError, call_command

# pg_dump reads what is committed, from a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOREIGN = ["notes.txt", "newsroom-latest.tar", "newsroom-20240101T020000Z.tar.gz", "site-20240101T020000Z.tar"]


def backup(folder, keep):
    output = io.StringIO()
    call_command("backup", directory=folder, keep=keep, stdout=output)
    return output.getvalue()


def test_the_oldest_archives_beyond_keep_are_removed_and_other_files_stay(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    old = [f"newsroom-2024010{day}T020000Z.tar" for day in (1, 2, 3)] + ["newsroom-20240103T020000Z-1.tar"]
    for name in old + FOREIGN:
        (folder / name).write_bytes(b"kept by someone")

    output = backup(folder, keep=2)

    [new] = {path.name for path in folder.iterdir()} - set(old) - set(FOREIGN)
    assert sorted(path.name for path in folder.iterdir()) == sorted([new, "newsroom-20240103T020000Z-1.tar", *FOREIGN])
    assert "Removed old archive newsroom-20240101T020000Z.tar" in output


def test_the_archive_just_written_is_kept_even_when_another_looks_newer(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    (folder / "newsroom-29991231T235959Z.tar").write_bytes(b"from a clock that ran ahead")
    backup(folder, keep=1)
    names = sorted(path.name for path in folder.iterdir())
    assert len(names) == 2 and names[1] == "newsroom-29991231T235959Z.tar"


def test_archives_are_readable_by_their_owner_only(tmp_path):
    folder = tmp_path / "new" / "backups"
    backup(folder, keep=5)
    backup(folder, keep=5)
    archives = sorted(folder.iterdir())
    assert len(archives) == 2 and all(path.name.startswith("newsroom-") for path in archives)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in archives} == {0o600}


def test_keep_must_be_at_least_one(tmp_path):
    with pytest.raises(CommandError, match="at least 1"):
        backup(tmp_path, keep=0)
    assert not list(tmp_path.iterdir())
