"""Django's PostgreSQL backend, pointed at the embedded server under var/ (started on demand)."""

from django.conf import settings
from django.db.backends.postgresql import base

from newsroom import embedded_db

_created_databases: set[str] = set()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["host"] = embedded_db.socket_dir(settings.EMBEDDED_DATABASE_DIR)
        params.setdefault("user", "postgres")
        name = params.get("dbname") or params.get("database")
        if name and name != "postgres" and name not in _created_databases:
            if not self.settings_dict["NAME"].startswith("test_"):
                embedded_db.ensure_database(params["host"], name, params["user"])
            _created_databases.add(name)
        return params
