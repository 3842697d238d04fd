"""A small HTTP(S) client for the nginx test: a chosen source address, a host name, cookies, bounded waits."""

import http.client
import re
import socket
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.deploy.stack import HOST


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


def multipart(field, filename, content, content_type):
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'.encode(),
            f"Content-Type: {content_type}\r\n\r\n".encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return body, f"multipart/form-data; boundary={boundary}"


def exchange(connection, method, path, body, headers, cookies):
    """One request on `connection` with the browser's `cookies`, which take what the answer sets; then close it."""
    try:
        if cookies:
            headers = {**headers, "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        response = Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = morsel.value
    return response


class Browser:
    """Requests to the stack's nginx from `source` (any 127.x address), keeping cookies like a browser."""

    def __init__(self, stack, source="127.0.0.1"):
        self.stack = stack
        self.source = source
        self.cookies = {}

    def connect(self, host, tls, timeout):
        port = self.stack.https_port if tls else self.stack.http_port
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(self.source, 0))
        if tls:
            sock = self.stack.tls.wrap_socket(sock, server_hostname=host)  # checks the certificate for `host`
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.sock = sock
        return connection

    def request(self, method, path, *, host=HOST, tls=True, headers=None, body=None, timeout=30):
        connection = self.connect(host, tls, timeout)
        return exchange(connection, method, path, body, {"Host": host, **(headers or {})}, self.cookies)

    def get(self, path, **options):
        return self.request("GET", path, **options)

    def post(self, path, body, content_type, **options):
        headers = {"Content-Type": content_type, "Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}"}
        return self.request("POST", path, body=body, headers={**headers, **options.pop("headers", {})}, **options)

    def log_in(self, username, password, headers=None):
        """Post the admin's login form with its CSRF token, as a person would."""
        form = self.get("/admin/login/")
        assert form.status == 200, form.status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"})
        return self.post("/admin/login/", body.encode(), "application/x-www-form-urlencoded", headers=headers or {})
