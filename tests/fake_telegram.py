"""A local stand-in for Telegram's Bot API on a loopback port: the same URLs, JSON and errors, for the Telegram tests.

It keeps the messages of every chat, checks the token in the URL, parses the HTML of parse_mode HTML as Telegram
does (only its tags; a stray < or & is refused) and counts the text after parsing against Telegram's limits.
"""

import html
import json
import threading
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "123456:TEST-token-AAEhBOweik6ad9r_QXMENQjcrGbqCr4K"
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote", "span"}
LIMITS = {"text": 4096, "caption": 1024}


class FakeTelegram:
    """What the stand-in holds (chats and their messages), every call it was asked, and the errors to answer next."""

    def __init__(self, token=TOKEN):
        self.token = token
        self.calls = []  # (method, parameters) in the order asked
        self.chats = {}  # chat id -> {message id: {"photo": url or None, "text" or "caption": html}}
        self.failures = []  # (method or None for any, error_code, description, parameters) answered first
        self.next_message_id = 100
        self.lock = threading.Lock()

    def fail_next(self, method, code, description, **parameters):
        self.failures.append((method, code, description, parameters))

    def messages(self, chat):
        return self.chats.get(chat, {})

    def called(self, method):
        return [parameters for name, parameters in self.calls if name == method]

    def answer(self, token, method, parameters):
        """(HTTP status, JSON answer) for one call, as Telegram gives them."""
        if token != self.token:
            return error(401, "Unauthorized")
        with self.lock:
            self.calls.append((method, parameters))
            for index, (failing, code, description, extra) in enumerate(self.failures):
                if failing in (None, method):
                    del self.failures[index]
                    return error(code, description, extra)
            handler = getattr(self, f"do_{method}", None)
            if handler is None:
                return error(404, "Not Found")
            return handler(parameters)

    def do_sendMessage(self, parameters):
        return self.new_message(parameters, "text", None)

    def do_sendPhoto(self, parameters):
        if not str(parameters.get("photo", "")).startswith(("http://", "https://")):
            return error(400, "Bad Request: wrong HTTP URL specified")
        return self.new_message(parameters, "caption", parameters["photo"])

    def new_message(self, parameters, field, photo):
        chat = parameters.get("chat_id")
        if not chat:
            return error(400, "Bad Request: chat not found")
        refusal = entity_refusal(parameters.get(field, ""), field, parameters.get("parse_mode"))
        if refusal:
            return refusal
        self.next_message_id += 1
        message = {"photo": photo, field: parameters.get(field, "")}
        self.chats.setdefault(chat, {})[self.next_message_id] = message
        return ok({"message_id": self.next_message_id, "chat": {"id": chat}, field: message[field]})

    def do_editMessageText(self, parameters):
        return self.edit(parameters, "text")

    def do_editMessageCaption(self, parameters):
        return self.edit(parameters, "caption")

    def do_editMessageMedia(self, parameters):
        media = parameters.get("media") or {}
        found = self.message(parameters, "message to edit not found")
        if isinstance(found, tuple):
            return found
        refusal = entity_refusal(media.get("caption", ""), "caption", media.get("parse_mode"))
        if refusal:
            return refusal
        if found["photo"] == media.get("media") and found.get("caption") == media.get("caption"):
            return error(400, "Bad Request: message is not modified")
        found.update(photo=media.get("media"), caption=media.get("caption", ""))
        return ok({"message_id": parameters["message_id"]})

    def edit(self, parameters, field):
        found = self.message(parameters, "message to edit not found")
        if isinstance(found, tuple):
            return found
        if (field == "caption") != (found["photo"] is not None):
            return error(
                400,
                "Bad Request: there is no " + ("caption" if field == "caption" else "text") + " in the message to edit",
            )
        refusal = entity_refusal(parameters.get(field, ""), field, parameters.get("parse_mode"))
        if refusal:
            return refusal
        if found.get(field) == parameters.get(field):
            return error(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message",
            )
        found[field] = parameters.get(field)
        return ok({"message_id": parameters["message_id"]})

    def do_deleteMessage(self, parameters):
        found = self.message(parameters, "message to delete not found")
        if isinstance(found, tuple):
            return found
        del self.chats[parameters["chat_id"]][parameters["message_id"]]
        return ok(True)

    def message(self, parameters, missing):
        found = self.chats.get(parameters.get("chat_id"), {}).get(parameters.get("message_id"))
        return found if found is not None else error(400, f"Bad Request: {missing}")


def ok(result):
    return 200, {"ok": True, "result": result}


def error(code, description, parameters=None):
    answer = {"ok": False, "error_code": code, "description": description}
    if parameters:
        answer["parameters"] = parameters
    return code, answer


class EntityParser(HTMLParser):
    """Telegram's reading of parse_mode HTML: its tags only, balanced; the visible text is what counts."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.text, self.open, self.problem = [], [], ""

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problem = f'unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.problem = f'unmatched end tag "{tag}"'

    def handle_data(self, data):
        if "<" in data or ">" in data:
            self.problem = "unescaped < or >"
        self.text.append(data)

    def handle_entityref(self, name):
        if name not in {"lt", "gt", "amp", "quot"}:
            self.problem = f"unsupported entity &{name};"
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name):
        self.text.append(html.unescape(f"&#{name};"))


def entity_refusal(text, field, parse_mode):
    if parse_mode not in (None, "HTML"):
        return error(400, "Bad Request: unsupported parse_mode")
    visible = text
    if parse_mode == "HTML":
        parser = EntityParser()
        parser.feed(text)
        parser.close()
        if parser.problem or parser.open:
            return error(400, f"Bad Request: can't parse entities: {parser.problem or 'unclosed tag'}")
        visible = "".join(parser.text)
    if not visible.strip():
        return error(400, f"Bad Request: message {field} is empty")
    if len(visible.encode("utf-16-le")) // 2 > LIMITS[field]:
        return error(400, f"Bad Request: message {field} is too long")
    return None


class FakeTelegramHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return self.reply(*error(404, "Not Found"))
        length = int(self.headers.get("Content-Length") or 0)
        try:
            parameters = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.reply(*error(400, "Bad Request: invalid JSON"))
        self.reply(*self.server.fake.answer(parts[0][3:], parts[1], parameters))

    def reply(self, status, answer):
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@contextmanager
def running(fake):
    """Serve `fake` on a loopback port for the time of the block; the URL to set as NEWSROOM_TELEGRAM_API_URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTelegramHandler)
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


SITE = "https://news.example.kz"
CHANNEL = "@newsroom_test"


@contextmanager
def configured(settings):
    """A running FakeTelegram with the site's bot token, channel and address set as production would set them."""
    fake = FakeTelegram()
    with running(fake) as url:
        fake.url = settings.NEWSROOM_TELEGRAM_API_URL = url
        settings.NEWSROOM_TELEGRAM_BOT_TOKEN = TOKEN
        settings.NEWSROOM_TELEGRAM_CHAT_ID = CHANNEL
        settings.NEWSROOM_SITE_URL = SITE
        yield fake
