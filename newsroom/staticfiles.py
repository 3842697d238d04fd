"""The apps' static files as Django finds them, less the pages CKEditor ships for its tests and demos."""

from fnmatch import fnmatchcase

from django.contrib.staticfiles import finders

# The editor needs none of these; published on the site's origin they are pages anyone can open.
# Kept: the plugins' own run-time pages (preview.html, the spell checker's dialogs).
EDITOR_TEST_PAGES = [
    "ckeditor/ckeditor/samples/*",
    "ckeditor/ckeditor/*/samples/*",
    "ckeditor/ckeditor/*/tests/*",
    "ckeditor/ckeditor/bender-runner.config.json",
]


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder, leaving the editor's test pages out of collectstatic and WhiteNoise's DEBUG mode.

    Not a StaticFilesConfig with ignore_patterns: pytest-django's live server (and other tools) look
    for the literal "django.contrib.staticfiles" in INSTALLED_APPS.
    """

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *EDITOR_TEST_PAGES])

    def find(self, path, find_all=False, **kwargs):
        if any(fnmatchcase(path, pattern) for pattern in EDITOR_TEST_PAGES):
            return []  # as Django's finders answer "not here", whether asked for one match or all
        return super().find(path, find_all=find_all, **kwargs)
