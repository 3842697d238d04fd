"""The PostgreSQL client programs a backup runs, and how they reach the database Django uses."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

# libpq reads these for the connection parameters Django gives psycopg: the password, like the rest, travels
# in the child's environment, never on a command line that any user of the machine can read with `ps`.
LIBPQ_ENVIRONMENT = {
    "dbname": "PGDATABASE",
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "gssencmode": "PGGSSENCMODE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class PostgresProgramError(Exception):
    """A PostgreSQL client program is missing, too old, or failed."""


def environment():
    """The environment for pg_dump/pg_restore: this process's, plus the connection of Django's database."""
    env = dict(os.environ)
    for key, value in connection.get_connection_params().items():
        if key in LIBPQ_ENVIRONMENT and value not in (None, ""):
            env[LIBPQ_ENVIRONMENT[key]] = str(value)
    return env


def server_version():
    """The server's version as text, e.g. "16.2"."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def major(version):
    match = re.search(r"(\d+)", version)
    return int(match.group(1)) if match else 0


def candidates(name):
    """Where `name` may be: NEWSROOM_PG_BIN_DIR alone when set, else pgserver's copy and the PATH's.

    The embedded server is asked with pgserver's own copy first. A server of DATABASE_URL is asked with the
    system's first: its libpq looks for a socket where the system's server keeps it (Debian:
    /var/run/postgresql), pgserver's looks in /tmp, so with a URL naming no host only the system's finds it.
    """
    if settings.NEWSROOM_PG_BIN_DIR:
        return [Path(settings.NEWSROOM_PG_BIN_DIR) / name]
    bundled = []
    try:
        from pgserver._commands import POSTGRES_BIN_PATH
    except ImportError:
        pass
    else:
        bundled.append(Path(POSTGRES_BIN_PATH) / name)
    on_path = shutil.which(name)
    system = [Path(on_path)] if on_path else []
    embedded = connection.settings_dict["ENGINE"] == "newsroom.embedded_postgres"
    return bundled + system if embedded else system + bundled


def program_version(path):
    """The version a client program reports, e.g. "16.2" for "pg_dump (PostgreSQL) 16.2"."""
    result = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=False)
    match = re.search(r"(\d+(?:\.\d+)*)\s*$", result.stdout.strip())
    return match.group(1) if result.returncode == 0 and match else None


def find_program(name, at_least):
    """Return (path, version) of the first `name` whose major version is at least `at_least`'s.

    A pg_dump older than the server refuses to dump it, and a pg_restore older than the pg_dump that wrote an
    archive may not read it: the bundled 16 serves the embedded server, a newer server needs a newer client.
    """
    tried = []
    for path in candidates(name):
        if not (path.is_file() and os.access(path, os.X_OK)):
            tried.append(f"{path} (missing)")
            continue
        version = program_version(path)
        if version and major(version) >= major(at_least):
            return path, version
        tried.append(f"{path} ({version or 'does not run'})")
    raise PostgresProgramError(
        f"No usable {name} for PostgreSQL {at_least}: tried {', '.join(tried) or 'nothing'}. "
        f"Install the PostgreSQL {major(at_least)} client programs or set NEWSROOM_PG_BIN_DIR to their directory."
    )


def run(arguments, what):
    """Run a client program with the database's environment; raise with the end of its error output."""
    result = subprocess.run(arguments, env=environment(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise PostgresProgramError(f"{what} failed (exit code {result.returncode}): " + "\n".join(lines[-15:]))
    return result.stdout
