"""Which pg_dump/pg_restore a backup runs: the one that finds the server."""

from django.db import connection

from newsroom.backups import postgres


def test_a_server_named_by_database_url_is_asked_with_the_system_client_first(monkeypatch, tmp_path, settings):
    settings.NEWSROOM_PG_BIN_DIR = ""
    system_pg_dump = tmp_path / "pg_dump"
    system_pg_dump.write_text("#!/bin/sh\n")
    system_pg_dump.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))

    monkeypatch.setitem(connection.settings_dict, "ENGINE", "django.db.backends.postgresql")
    assert postgres.candidates("pg_dump")[0] == system_pg_dump  # its libpq knows the system's socket folder

    monkeypatch.setitem(connection.settings_dict, "ENGINE", "newsroom.embedded_postgres")
    found = postgres.candidates("pg_dump")
    assert found[-1] == system_pg_dump and len(found) == 2  # pgserver's own copy first for its own server


def test_the_configured_folder_is_the_only_place_looked_in(settings, tmp_path):
    settings.NEWSROOM_PG_BIN_DIR = str(tmp_path)
    assert postgres.candidates("pg_restore") == [tmp_path / "pg_restore"]
