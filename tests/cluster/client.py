"""A small HTTP client for the cluster tests: one base address, cookies kept like a browser, no redirects followed."""

import http.client
import re
from urllib.parse import urlencode, urlsplit

from tests.deploy.client import exchange


class Browser:
    def __init__(self, base_url, agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"):
        self.base_url = base_url
        self.cookies = {}
        self.agent = agent

    def on(self, base_url):
        """The same browser (its cookies) talking to another server."""
        other = Browser(base_url, self.agent)
        other.cookies = self.cookies
        return other

    def request(self, method, path, body=None, headers=None, timeout=20):
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        return exchange(connection, method, path, body, {"User-Agent": self.agent, **(headers or {})}, self.cookies)

    def get(self, path, **options):
        return self.request("GET", path, **options)

    def post_form(self, path, fields, headers=None):
        origin = self.base_url.rstrip("/")
        sent = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
        return self.request("POST", path, body=urlencode(fields).encode(), headers={**sent, **(headers or {})})

    def csrf_token(self, path):
        page = self.get(path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]

    def log_in(self, username, password="newsroom-demo"):
        token = self.csrf_token("/admin/login/")
        return self.post_form(
            "/admin/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"},
        )
