"""The Telegram Bot API as the task worker calls it: a method and its parameters as JSON, the answer's result back.

The bot's token is part of every request's URL (https://api.telegram.org/bot<token>/sendMessage), so no URL
leaves this module: errors name the method and what Telegram said, with the token masked wherever it could
appear, and chain no exception that holds the URL. Which answers are worth a retry is decided here, once:
TelegramUnavailable (no answer, a server error, 429 «retry after N») is retried by the job, TelegramRefused
(any other 4xx: a bad chat, a bot without rights, a revoked token) is not, since asking again gets the same no.
"""

import http.client
import json
import urllib.error
import urllib.request

from django.conf import settings

TIMEOUT_SECONDS = 10
MAX_ANSWER_BYTES = 1 << 20
MASK = "<token>"


class TelegramError(Exception):
    """Telegram did not do what was asked; the message names the method and Telegram's words, never the token."""

    def __init__(self, method, description, code=None):
        self.method = method
        self.code = code
        self.description = hidden(description)
        super().__init__(f"{method}: {code or 'no answer'} {self.description}".strip())

    def says(self, words):
        """Whether Telegram's description contains `words` (case-insensitive), e.g. "message is not modified"."""
        return words.lower() in self.description.lower()


class TelegramUnavailable(TelegramError):
    """No answer, a server error or «too many requests»: worth another try, after `retry_after` seconds if given."""

    def __init__(self, method, description, code=None, retry_after=None):
        super().__init__(method, description, code)
        self.retry_after = retry_after


class TelegramRefused(TelegramError):
    """A 4xx other than 429: the request itself is wrong (chat, rights, token, text); another try changes nothing."""


def is_configured():
    return bool(settings.NEWSROOM_TELEGRAM_BOT_TOKEN)


def hidden(text):
    """`text` with the bot's token masked (an error message may quote the URL it failed on)."""
    token = settings.NEWSROOM_TELEGRAM_BOT_TOKEN
    text = str(text)
    return text.replace(token, MASK) if token else text


def call(method, **parameters):
    """Call `method` with `parameters` and return its result; raise TelegramUnavailable or TelegramRefused."""
    url = f"{settings.NEWSROOM_TELEGRAM_API_URL}/bot{settings.NEWSROOM_TELEGRAM_BOT_TOKEN}/{method}"
    request = urllib.request.Request(
        url,
        data=json.dumps(parameters).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Newsroom"},
        method="POST",
    )
    status, body, failure = None, b"", None
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (settings' URL)
            status, body = response.status, response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:  # Telegram explains its errors in JSON, like its answers
        with error:
            status, body = error.code, error.read(MAX_ANSWER_BYTES)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        failure = str(getattr(error, "reason", error))
    if failure is not None:
        # Raised outside the handler: the exception chains nothing that holds the request and its URL.
        raise TelegramUnavailable(method, failure)
    return result_of(method, status, body)


def result_of(method, status, body):
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        error = TelegramUnavailable if status is None or status >= 500 or status == 429 else TelegramRefused
        raise error(method, f"HTTP {status}, not an answer of the Bot API", status)
    if answer.get("ok") is True:
        return answer.get("result")
    code = answer.get("error_code") if isinstance(answer.get("error_code"), int) else status
    description = str(answer.get("description") or "")
    parameters = answer.get("parameters") if isinstance(answer.get("parameters"), dict) else {}
    if code == 429 or code >= 500:
        retry_after = parameters.get("retry_after")
        retry_after = retry_after if isinstance(retry_after, int) and retry_after > 0 else None
        raise TelegramUnavailable(method, description, code, retry_after)
    raise TelegramRefused(method, description, code)
