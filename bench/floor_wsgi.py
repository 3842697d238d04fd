"""The site's WSGI application plus /bench-floor/, a trivial Django view: the framework floor of the benchmark.

gunicorn serves every line of the benchmark from this module, so the floor, the static file and the pages go
through the same server, settings and middleware. The floor returns the bytes of the file named by
BENCH_FLOOR_FILE (an article page saved by bench.probe).
"""

import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from newsroom import urls as site_urls  # noqa: E402

FLOOR_FILE = os.environ.get("BENCH_FLOOR_FILE", "")
FLOOR_BODY = Path(FLOOR_FILE).read_bytes() if FLOOR_FILE else b"<!doctype html><title>floor</title>"


def floor(request):
    """Return the saved article bytes without touching the database."""
    return HttpResponse(FLOOR_BODY, content_type="text/html; charset=utf-8")


# The site's own URLconf with one more route in front; i18n_patterns must stay at the top level.
urlpatterns = [path("bench-floor/", floor), *site_urls.urlpatterns]
for handler in ["handler400", "handler403", "handler404", "handler500"]:
    if hasattr(site_urls, handler):
        globals()[handler] = getattr(site_urls, handler)
settings.ROOT_URLCONF = __name__

# As newsroom.wsgi does: the workers get ready before their first request.
from newsroom.warm_up import warm_up  # noqa: E402

warm_up()
