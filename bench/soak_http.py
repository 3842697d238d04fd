"""What the soak's editors need of HTTP: a browser keeping cookies, the admin's forms, messages and error pages."""

import base64
import http.client
import json
import re
import uuid
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

# What each kind of error page says (templates/500.html, deploy/varnish/newsroom.vcl, Varnish's and nginx's own).
DJANGO_500 = "Попробуйте обновить страницу через минуту"
# The balancer's and the edge's page when no app server answers (deploy/nginx, deploy/varnish): Russian, like the site.
UNAVAILABLE = "Изменения могли не сохраниться"
VARNISH_SYNTH = "Guru Meditation"
TRACEBACK_SIGNS = ("Traceback (most recent call last)", "Exception Value", 'id="traceback"', "DEBUG = True")
SUCCESS, ERROR = 25, 40  # django.contrib.messages' levels


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str
    set_cookies: dict

    @property
    def location(self):
        return self.headers.get("Location", "")


class Browser:
    """Requests to one base address on a new connection each, keeping cookies like a browser; no redirects followed."""

    def __init__(self, base_url, timeout=30):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.cookies = {}
        self.unread = 0  # messages not yet shown when the last POST was sent

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        sent = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0 newsroom-soak", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            raw = answer.read()
        finally:
            connection.close()
        set_cookies = {}
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                set_cookies[name] = morsel.value
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Response(answer.status, answer.headers, raw.decode("utf-8", errors="replace"), set_cookies)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        """POST `fields` (a list of name, value pairs) as multipart/form-data, as the admin's forms are sent."""
        self.unread = len(decode_messages(self.cookies.get("messages")))
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
        body = ("".join(parts) + f"--{boundary}--\r\n").encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def new_messages(self, response):
        """The messages the admin added in answer to the last POST: [(level, text)] (unread older ones come first)."""
        if "messages" not in response.set_cookies:
            return []
        return cookie_messages(response)[self.unread :]

    def csrf_token(self):
        return self.cookies.get("csrftoken", "")

    def log_in(self, username, password):
        """Post the admin's login form with its CSRF token; True when the admin let the user in."""
        form = self.get("/admin/login/")
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if form.status != 200 or not found:
            return form, False
        fields = [
            ("csrfmiddlewaretoken", found[1]),
            ("username", username),
            ("password", password),
            ("next", "/admin/"),
        ]
        answer = self.post("/admin/login/", fields)
        return answer, answer.status == 302 and "sessionid" in self.cookies


class FormParser(HTMLParser):
    """The fields a browser would send from the form with id `form_id`: (name, value) pairs, in order."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ("on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "options": [], "selected": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select["options"].append(value)
            if "selected" in attrs:
                self.select["selected"].append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the one newline that may follow <textarea>.
            name, value = self.textarea
            self.fields.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["selected"]
            if not chosen and not self.select["multiple"] and self.select["options"]:
                chosen = self.select["options"][:1]
            self.fields += [(self.select["name"], value) for value in chosen]
            self.select = None


def form_fields(html, form_id):
    parser = FormParser(form_id)
    parser.feed(html)
    parser.close()
    return parser.fields


def replace(fields, changes):
    """`fields` with each name in `changes` given that value (a list gives several); names not there are added."""
    kept = [(name, value) for name, value in fields if name not in changes]
    for name, value in changes.items():
        kept += [(name, item) for item in value] if isinstance(value, list) else [(name, value)]
    return kept


def cookie_messages(response):
    """The messages in the `messages` cookie this response sets: [(level, text)], unread older ones first."""
    return decode_messages(response.set_cookies.get("messages"))


def decode_messages(value):
    """[(level, text)] of a `messages` cookie: Django's signed, possibly compressed, JSON (django.core.signing).

    The signature is not checked: the cookie came from the admin itself.
    """
    if not value:
        return []
    payload = value.strip('"').split(":", 1)[0]  # payload:timestamp:signature
    compressed = payload.startswith(".")
    data = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    try:
        stored = json.loads(zlib.decompress(data) if compressed else data)
    except (ValueError, zlib.error):
        return []
    return [(item[2], item[3]) for item in stored if isinstance(item, list) and len(item) >= 4]


def page_messages(html):
    """The messages a page shows: [(level, text)] from the admin's message list."""
    levels = {"success": SUCCESS, "error": ERROR, "warning": 30, "info": 20}
    found = re.findall(r'<li class="(success|error|warning|info)">(.*?)</li>', html, re.S)
    return [(levels[kind], re.sub(r"<[^>]+>", "", text).strip()) for kind, text in found]


def page_kind(response):
    """What a person would call the page they got: ok, a clear «try again» page, a proxy's error page, a traceback."""
    text = response.text
    if any(sign in text for sign in TRACEBACK_SIGNS):
        return "traceback"
    if response.status < 400:
        if "/admin/login/" in response.location or ('id="login-form"' in text and response.status == 200):
            return "login page"
        return "ok"
    if "<h1>Bad Request (400)</h1>" in text:
        return "Django's bare «Bad Request (400)» page"
    if DJANGO_500 in text:
        return "try-again page (the site's 500 page)"
    if UNAVAILABLE in text:
        return "try-again page (the balancer's or the edge's)"
    if VARNISH_SYNTH in text:
        return "Varnish's «Backend fetch failed» page"
    if "<center>nginx" in text:
        return f"nginx's «{response.status}» page"
    return f"other {response.status} page"


class ThreadGroup:
    """Threads (`self.threads`) started together and stopped with one event (`self.stop_event`)."""

    join_seconds = 60

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(self.join_seconds)
