"""Site-wide views."""

from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from newsroom import embedded_db


@never_cache
@require_GET
def healthz(request):
    """Answer 200 when the database answers, 503 when it does not; never start a database."""
    try:
        with embedded_db.no_autostart(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, embedded_db.EmbeddedDatabaseUnavailable):
        connection.close()
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def server_error(request):
    """The 500 page in the reader's language, rendered without touching the database."""
    return HttpResponseServerError(loader.get_template("500.html").render({}))
