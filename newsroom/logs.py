"""Log records as one JSON object a line (production) or plain text (development), each with its request id.

The request id lives in a context variable from a request's start until its response is closed
(newsroom/observability.py), so every record emitted meanwhile, from any logger, carries it as `request_id`;
"-" outside a request. Records that carry the request (Django's "Not Found: …") get a shared draft's token masked.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

request_id = ContextVar("request_id", default="-")
# URL arguments that are credentials: a «Поделиться черновиком» link (/preview/<token>/) lets anyone read a draft.
SECRET_ARGUMENTS = ("token",)
MAX_LOGGED_PATH = 300

# Attributes every LogRecord has; anything else on a record came from `extra=` and goes into the JSON object,
# except Django's `request` (its text is the full URL, query string included) and runserver's socket.
STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "request"}


def url_secrets(request):
    match = getattr(request, "resolver_match", None)
    return [str(match.kwargs[name]) for name in SECRET_ARGUMENTS if match.kwargs.get(name)] if match else []


def loggable_path(request):
    """The request's path without its query string, secrets masked, on one line."""
    path = request.path
    for secret in url_secrets(request):
        path = path.replace(secret, "[secret]")
    path = path[:MAX_LOGGED_PATH]
    if not path.isprintable():  # a decoded %0A must not start a forged line in a text log
        path = "".join(char if char.isprintable() else "?" for char in path)
    return path


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request during which it was emitted; mask the URL secrets it names."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        secrets = url_secrets(getattr(record, "request", None))  # Django's "Not Found: /preview/<token>/"
        if secrets:
            message = record.getMessage()
            for secret in secrets:
                message = message.replace(secret, "[secret]")
            record.msg, record.args = message, ()
        return True


class TextFormatter(logging.Formatter):
    """Plain lines for development: time, level, logger, [request id], message."""

    def __init__(self):
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", defaults={"request_id": "-"}
        )


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id, the record's extras."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id.get()),
        }
        for key, value in record.__dict__.items():
            if key not in STANDARD_ATTRIBUTES and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
