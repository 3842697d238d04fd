"""One log line and the metrics of every request, under a request id that every log record of it carries.

The middleware is the outermost one, so it times everything (static files and page-cache hits included) and
sees the address the request really came from: a proxy's `X-Request-ID` is kept only when that address is a
trusted proxy's (NEWSROOM_TRUSTED_PROXIES) and the id is well formed; otherwise the request gets a new one.
The id is sent back in the response's `X-Request-ID`.

What is logged: method, path (never the query string, which can hold a reader's search or anything a link
carried; a shared draft's token is masked), status, time, SQL queries and their time, and the user id for
staff only. No names, e-mail addresses or client addresses.
"""

import logging
import re
import secrets
import time

from django.conf import settings
from django.core.signals import request_finished
from django.db import connection

from newsroom import logs, metrics
from newsroom.proxy import is_trusted_peer

logger = logging.getLogger("newsroom.request")

# nginx's $request_id is 32 hex digits and a UUID 36 characters; nothing longer, nothing that could split a line.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


class QueryCounter:
    """A database execute wrapper counting the queries and the time they take (works with DEBUG off)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


def request_id_of(request):
    """The id a trusted proxy gave the request, when well formed; else a new random one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if given and VALID_REQUEST_ID.fullmatch(given) and is_trusted_peer(request.META.get("REMOTE_ADDR", "")):
        return given
    return secrets.token_hex(16)  # 32 hex digits, as nginx's $request_id


def staff_user_id(request):
    """The user id of a signed-in staff member, else None; readers have no session, so nothing is looked up."""
    user = getattr(request, "user", None)
    if user is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    return user.pk if user.is_authenticated and user.is_staff else None


def forget_request_id(**kwargs):
    logs.request_id.set("-")


request_finished.connect(forget_request_id, dispatch_uid="newsroom.observability")


class ObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_of(request)
        # Kept until the response is closed (request_finished): Django logs a 4xx or 5xx response that a view
        # returned after the middleware has finished, and that record belongs to this request too.
        logs.request_id.set(request_id)
        queries = QueryCounter()
        start = time.perf_counter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        seconds = time.perf_counter() - start
        response["X-Request-ID"] = request_id
        metrics.observe_request(request, response, seconds, queries.count, queries.seconds)
        if logger.isEnabledFor(logging.INFO):  # off (DJANGO_LOG_LEVEL=WARNING): no line to build
            self.log(request, response, seconds, queries)
        return response

    def log(self, request, response, seconds, queries):
        fields = {
            "request_id": logs.request_id.get(),
            "method": request.method[:10],
            "path": logs.loggable_path(request),
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "queries": queries.count,
            "sql_ms": round(queries.seconds * 1000, 1),
            "user_id": staff_user_id(request),
        }
        message = f"{fields['method']} {fields['path']} {fields['status']} {fields['duration_ms']}ms"
        message += f" {fields['queries']}q {fields['sql_ms']}ms"
        if fields["user_id"] is not None:
            message += f" user={fields['user_id']}"
        logger.info(message, extra=fields)
