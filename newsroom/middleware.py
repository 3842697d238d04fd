"""Security headers that Django's SecurityMiddleware does not set."""

from urllib.parse import urlsplit

from django.core.files.storage import default_storage

PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
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
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

# An uploaded photo, even opened on its own, may load and run nothing (newsroom.views.media).
MEDIA_CSP = "default-src 'none'; sandbox"

ADMIN_PREFIXES = ("/admin/", "/ckeditor/")


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
