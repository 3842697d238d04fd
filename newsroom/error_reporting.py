"""Error reports to Sentry when SENTRY_DSN is set, without the personal data of readers or staff.

Imported only then (newsroom/apps.py), so a site without Sentry does not load the SDK. The SDK is told not to
send personal data, request bodies or the local variables of stack frames (they hold users, forms, passwords),
and `before_send` removes whatever could still carry them: cookies, credentials, bodies, the query string and
all of the user but the id. Each report is tagged with the request id of the log lines of the same request.
"""

from urllib.parse import urlsplit

import sentry_sdk
from django.urls import Resolver404, resolve
from sentry_sdk.integrations.django import DjangoIntegration

from newsroom import logs

HIDDEN_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-csrftoken", "x-forwarded-for", "x-real-ip"}
    | {"referer"}  # the page before: a reader's search, a shared draft's link
)
HIDDEN_REQUEST_PARTS = ("cookies", "data", "query_string", "env")


def without_secrets(url):
    """The URL with the secrets in its path (a shared draft's token) masked, as in the logs."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return url
    return logs.without_secrets(url, match)


def before_send(event, hint):
    request = event.get("request")
    if request:
        for part in HIDDEN_REQUEST_PARTS:
            request.pop(part, None)
        headers = request.get("headers") or {}
        request["headers"] = {name: value for name, value in headers.items() if name.lower() not in HIDDEN_HEADERS}
        if "url" in request:
            request["url"] = without_secrets(request["url"].partition("?")[0])
    user = event.get("user")
    if user is not None:
        event["user"] = {"id": user["id"]} if "id" in user else {}
    event.setdefault("tags", {})["request_id"] = logs.request_id.get()
    return event


def init(dsn, environment, release):
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration()],
        # send_default_pii stays at its default, False (the SDK now warns when it is passed at all), which also
        # keeps the SDK's own scrubber of keys such as "password" and "session".
        max_request_body_size="never",
        include_local_variables=False,
        before_send=before_send,
    )
