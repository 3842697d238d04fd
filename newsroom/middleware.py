"""Security headers that Django's SecurityMiddleware does not set; the language of a request from its path; the
staff's middleware (two-factor, messages) only where the staff work."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.core.files.storage import default_storage
from django.utils import translation
from django_otp.middleware import OTPMiddleware

from articles.embeds import FRAME_ORIGINS

PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        # the embeds' frames, loaded when a reader asks (articles/embeds.py), and no other
        "frame-src " + " ".join(FRAME_ORIGINS),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# CKEditor 4 builds its toolbar with inline event handlers and inline styles.
ADMIN_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "connect-src 'self'",
        # the admin's own frames, as default-src allowed, and the embeds' in a story's preview
        "frame-src 'self' " + " ".join(FRAME_ORIGINS),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

# An uploaded photo, even opened on its own, may load and run nothing (newsroom.views.media).
MEDIA_CSP = "default-src 'none'; sandbox"

ADMIN_PREFIXES = ("/admin/", "/ckeditor/")
# Where staff sign in and work: the admin and the editor's uploads (admin.site.admin_view, articles/uploads.py).
# Nothing else reads request.user.is_verified() or adds or shows a message.
STAFF_PREFIXES = ("/admin/", "/ckeditor/")


def media_origin():
    """Return the origin photos are served from when it is not the site's own (MEDIA_URL, the bucket), else ''."""
    url = urlsplit(default_storage.url("photo.jpg"))
    return f"{url.scheme}://{url.netloc}" if url.netloc else ""


def allowing_images_from(csp, origin):
    return csp.replace("img-src 'self'", f"img-src 'self' {origin}") if origin else csp


class SecurityHeadersMiddleware:
    """Add the CSP and Permissions-Policy to every response: pages, cached pages and static files alike.

    It sits before WhiteNoise and the page cache (settings.MIDDLEWARE), which answer without calling
    the inner middleware; a response that carries its own policy (the media view's) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        origin = media_origin()
        self.public_csp = allowing_images_from(PUBLIC_CSP, origin)
        self.admin_csp = allowing_images_from(ADMIN_CSP, origin)

    def __call__(self, request):
        response = self.get_response(request)
        in_admin = request.path.startswith(ADMIN_PREFIXES)
        response.headers.setdefault("Content-Security-Policy", self.admin_csp if in_admin else self.public_csp)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return response


class PathLanguageMiddleware:
    """Django's LocaleMiddleware as it decides with this site's URLs, without the work it then throws away.

    The public pages are i18n_patterns(prefix_default_language=False) (newsroom/urls.py): Kazakh under /kk/,
    Russian unprefixed, and every other path (the admin, /healthz) in LANGUAGE_CODE. With such URLs Django's
    middleware reads the language cookie and parses Accept-Language on every request, only to replace what it
    found with LANGUAGE_CODE whenever the path has no prefix, and reads the path three times, looking the first
    segment of every unprefixed path ("news", "admin") up among the languages again each time. Here the path's
    first segment decides, once: a language code exactly as i18n_patterns writes it in URLs, else LANGUAGE_CODE
    (so /KK/… or /kk-kz/… are not a second address of the Kazakh pages). The reader's headers never choose the
    language, so none is in Vary.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = frozenset(code for code, _name in settings.LANGUAGES)

    def __call__(self, request):
        prefix = request.path_info[1:].partition("/")[0]  # "kk" of /kk/news/ and of /kk
        language = prefix if prefix in self.languages else settings.LANGUAGE_CODE
        # Code that renders in another language (a sitemap, an e-mail) uses translation.override(), which restores it.
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class StaffPathsOnly:
    """Run the middleware it is mixed into only for requests under STAFF_PREFIXES; pass every other one on.

    The test is on path_info, what the URL resolver matches: no other path reaches the admin's views. Should one
    ever do, the protection fails closed: without OTPMiddleware the user has no is_verified() and the admin's
    permission check raises instead of letting anyone in.
    """

    def __call__(self, request):
        if request.path_info.startswith(STAFF_PREFIXES):
            return super().__call__(request)
        return self.get_response(request)


class StaffOTPMiddleware(StaffPathsOnly, OTPMiddleware):
    """django-otp's request.user.is_verified(), which the admin's two-factor policy asks (newsroom/two_factor.py)."""


class StaffMessageMiddleware(StaffPathsOnly, MessageMiddleware):
    """Django's messages, which only the admin adds and shows."""
