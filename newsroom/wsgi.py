"""WSGI entry point (gunicorn newsroom.wsgi): the site, ready before its first request (newsroom/warm_up.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

from newsroom.warm_up import warm_up  # noqa: E402  (needs the apps loaded)

warm_up()
