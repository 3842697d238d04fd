"""Whether this installation can do all its work (/readyz): database, migrations, a live task worker."""

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

DATABASE = "database"
MIGRATIONS = "migrations"
WORKER = "worker"

_process = {"migrated": False}


def unapplied_migrations():
    """Whether a migration of the code this process runs is not applied; once all are, it stays so."""
    if _process["migrated"]:
        return False
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return True
    _process["migrated"] = True
    return False


def worker_seen():
    """Whether a task worker has sent a heartbeat within NEWSROOM_WORKER_SEEN_SECONDS (a row per running worker)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM procrastinate_workers"
            " WHERE last_heartbeat > now() - make_interval(secs => %s))",
            [settings.NEWSROOM_WORKER_SEEN_SECONDS],
        )
        return cursor.fetchone()[0]


def problem():
    """The first thing that keeps the site from being ready (a word), or None; database errors propagate."""
    connection.ensure_connection()
    if unapplied_migrations():
        return MIGRATIONS
    if not worker_seen():
        return WORKER
    return None


def forget():
    """Check the migrations again on the next call (tests that unapply one)."""
    _process["migrated"] = False
