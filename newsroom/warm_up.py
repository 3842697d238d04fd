"""What a serving process prepares before it accepts its first request (newsroom/wsgi.py).

gunicorn replaces a worker after `max_requests` (deploy/gunicorn.conf.py) and at every deploy; without this
the first readers of each new worker would wait for the URL patterns to be resolved, the site's templates
to be compiled and the translations to be loaded. None of it touches the database.
"""

from django.conf import settings
from django.template import engines
from django.urls import resolve, reverse
from django.utils import translation

# A path of each kind that most requests take: the home page, a list, a story.
PATHS = (("articles:home", ()), ("articles:list", ()), ("articles:detail", ("warm-up",)))


def warm_up():
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Новости")  # loads the language's catalogues
            for name, args in PATHS:
                resolve(reverse(name, args=args))
    for engine in engines.all():
        for directory in engine.dirs:
            for path in directory.rglob("*.html"):
                engine.get_template(str(path.relative_to(directory)))
