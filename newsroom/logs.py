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


def without_secrets(text, match):
    """`text` with the credentials among the URL arguments of resolver `match` (a shared draft's token) masked."""
    for name in SECRET_ARGUMENTS:
        if match is not None and match.kwargs.get(name):
            text = text.replace(str(match.kwargs[name]), "[secret]")
    return text


def loggable_path(request):
    """The request's path without its query string, secrets masked, on one line."""
    path = without_secrets(request.path, request.resolver_match)[:MAX_LOGGED_PATH]
    if not path.isprintable():  # a decoded %0A must not start a forged line in a text log
        path = "".join(char if char.isprintable() else "?" for char in path)
    return path


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request during which it was emitted; mask the URL secrets it names."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        match = getattr(getattr(record, "request", None), "resolver_match", None)  # Django's "Not Found: …"
        if match is not None:
            message = record.getMessage()
            masked = without_secrets(message, match)
            if masked != message:
                record.msg, record.args = masked, ()
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
