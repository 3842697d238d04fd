"""Start and reach the embedded PostgreSQL server (pgserver) that runs when DATABASE_URL is unset."""

import contextlib
import contextvars
import os
import threading
import warnings
from pathlib import Path

_lock = threading.Lock()
_socket_dirs: dict[Path, str] = {}
_autostart = contextvars.ContextVar("embedded_db_autostart", default=True)


class EmbeddedDatabaseUnavailable(Exception):
    """The embedded server is not running and starting it was not allowed."""


@contextlib.contextmanager
def no_autostart():
    """Connect only to a server that is already running (the health check must not start one)."""
    token = _autostart.set(False)
    try:
        yield
    finally:
        _autostart.reset(token)


def socket_dir(pgdata: Path) -> str:
    """Return the Unix-socket directory of the server for `pgdata`, starting it if needed."""
    pgdata = Path(pgdata).resolve()
    with _lock:
        if pgdata in _socket_dirs and _is_running(pgdata):
            return _socket_dirs[pgdata]
        if not _autostart.get():
            # A server started by another process is fine: its socket is named in postmaster.pid.
            running = _running_socket_dir(pgdata)
            if running is None:
                raise EmbeddedDatabaseUnavailable(f"embedded PostgreSQL in {pgdata} is not running")
            _socket_dirs[pgdata] = running
            return running
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver
        # cleanup_mode=None: the server outlives this process and is shared by gunicorn workers,
        # manage.py commands and test runs; it keeps its data between runs.
        server = pgserver.get_server(pgdata, cleanup_mode=None)
        _socket_dirs[pgdata] = str(server.get_postmaster_info().socket_dir)
        return _socket_dirs[pgdata]


def ensure_database(host: str, name: str, user: str = "postgres") -> None:
    """Create database `name` on the embedded server unless it exists."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=host, dbname="postgres", user=user, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _running_socket_dir(pgdata: Path) -> str | None:
    if not _is_running(pgdata):
        return None
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return lines[4].strip() if len(lines) > 4 and lines[4].strip() else None


def _is_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().split("\n", 1)[0])
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(pgdata: Path) -> None:
    """Stop the embedded server for `pgdata` if it runs."""
    import pgserver  # noqa: F401  (sets up the binary path)
    from pgserver._commands import pg_ctl

    pgdata = Path(pgdata).resolve()
    _socket_dirs.pop(pgdata, None)
    if _is_running(pgdata):
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user="pgserver" if _is_root() else None)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
