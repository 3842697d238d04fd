"""The shipped nginx site in front of gunicorn, checked through nginx as readers and journalists reach it.

Debian's nginx runs deploy/nginx/newsroom.conf (ports, paths and the certificate replaced: tests/deploy/stack.py)
in front of gunicorn with deploy/gunicorn.conf.py and a production environment, on loopback, on this run's test
database. Clients connect from chosen loopback addresses (127.0.0.2, 127.0.0.3…) to show what nginx passes on.
"""

import gzip
import http.client
import io
import json
import socket
import ssl
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from PIL import Image

from newsroom.middleware import MEDIA_CSP, PUBLIC_CSP
from tests.deploy.client import Browser, multipart
from tests.deploy.stack import HOST, MEDIA_HOST, NGINX, Stack, collect_static
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.skipif(
        not NGINX.exists(), reason=f"no Debian nginx at {NGINX} (apt-get install nginx); .ci/run installs it"
    ),
    # Committed data, so that gunicorn sees it; the migrated groups are restored for the tests after these.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "secret-password"  # tests.factories.UserFactory's
UPLOAD = "/ckeditor/upload/?responseType=json"


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    collect_static(static_root)
    running = Stack(tmp_path_factory.mktemp("stack"), static_root)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def reporter(settings):
    """A journalist whose password gunicorn can check: hashed as production hashes it, not the tests' fast way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = UserFactory(username="reporter", is_staff=True)
    user.groups.add(Group.objects.get(name="Journalists"))
    return user


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, format="JPEG")
    return buffer.getvalue()


def test_pages_are_served_over_https_and_plain_http_redirects_there(stack):
    browser = Browser(stack)
    redirect = browser.get("/news/?page=2", tls=False)
    assert redirect.status == 301
    assert redirect.headers["Location"] == f"https://{HOST}/news/?page=2"

    page = browser.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.body).decode()
    assert '<html lang="ru"' in html
    # The app believed nginx's X-Forwarded-Proto: it answered as over HTTPS instead of redirecting there itself.
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert f"img-src 'self' https://{MEDIA_HOST}" in page.headers["Content-Security-Policy"]


def https_request_without_checking_the_certificate(stack, name):
    """What a scanner gets: a TLS connection for `name` that accepts any certificate, and the answer's start."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", stack.https_port), timeout=10) as plain:
        with context.wrap_socket(plain, server_hostname=name) as tls:
            tls.sendall(f"GET / HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode())
            return tls.recv(64)


def test_a_name_that_is_not_the_sites_never_reaches_the_app(stack):
    with pytest.raises(ssl.SSLError):  # the handshake is refused: no certificate, no request
        https_request_without_checking_the_certificate(stack, "scanner.example")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):  # plain HTTP: closed unanswered
        Browser(stack).get("/", host="scanner.example", tls=False)
    assert https_request_without_checking_the_certificate(stack, HOST).startswith(b"HTTP/1.1 200")


def test_hashed_static_files_are_cached_for_a_year_with_the_pages_headers(stack):
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css"
    assert f'href="/static/{hashed}"' in Browser(stack).get("/").text  # pages link the hashed name

    response = Browser(stack).get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Type"] == "text/css"
    assert response.headers["Content-Encoding"] == "gzip"  # the copy collectstatic compressed
    assert gzip.decompress(response.body) == (stack.static_root / hashed).read_bytes()
    assert response.headers["Content-Security-Policy"] == PUBLIC_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"

    unhashed = Browser(stack).get("/static/css/site.css")
    assert unhashed.status == 200
    assert unhashed.headers["Cache-Control"] == "public, max-age=3600"
    assert Browser(stack).get("/static/ckeditor/ckeditor/samples/index.html").status == 404  # never collected
    # A hashed name not collected yet (pages deployed before collectstatic) must not be kept as a 404 for a year.
    missing = Browser(stack).get("/static/css/site.0123456789ab.css")
    assert missing.status == 404
    assert "immutable" not in missing.headers.get("Cache-Control", "")


def test_an_uploaded_photo_is_served_as_an_image_that_runs_nothing(stack, reporter):
    journalist = Browser(stack)
    assert journalist.log_in("reporter", PASSWORD).status == 302
    body, content_type = multipart("upload", "photo.jpg", jpeg(), "image/jpeg")
    uploaded = journalist.post(UPLOAD, body, content_type)
    assert uploaded.status == 200, uploaded.text
    url = json.loads(uploaded.body)["url"]
    assert url.startswith(f"https://{MEDIA_HOST}/photos/"), url  # a library photo (articles.models.photos)
    path = urlsplit(url).path

    reader = Browser(stack, source="127.0.0.4")
    # The media host, and the same-host /media/ option of the site (switched on for the test).
    for host, served in [(MEDIA_HOST, path), (HOST, f"/media{path}")]:
        photo = reader.get(served, host=host)
        assert photo.status == 200, (host, served)
        assert photo.headers["Content-Type"] == "image/jpeg"
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
        assert photo.headers["Content-Security-Policy"] == MEDIA_CSP
        assert photo.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert photo.headers["Set-Cookie"] is None
        assert photo.body == (stack.media_root / path.lstrip("/")).read_bytes()
        assert Image.open(io.BytesIO(photo.body)).format == "JPEG"

    # Whatever else lands in the media folder is never served, and the media host takes no uploads.
    page = f"{path.rpartition('/')[0]}/page.html"  # beside the photo
    (stack.media_root / page.lstrip("/")).write_text("<script>alert(document.cookie)</script>")
    assert reader.get(page, host=MEDIA_HOST).status == 404
    assert reader.get(f"/media{page}").status == 404
    assert reader.get("/", host=MEDIA_HOST).status == 404
    put = reader.request("POST", path, host=MEDIA_HOST, body=b"x", headers={"Content-Type": "image/jpeg"})
    assert put.status == 403


def test_login_lock_out_is_keyed_on_the_client_address_nginx_passed(stack, reporter):
    attacker = Browser(stack, source="127.0.0.2")
    # A forged X-Forwarded-For per try changes nothing: nginx replaces the header with the real address.
    tries = [attacker.log_in("reporter", "wrong", headers={"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(5)]
    assert [answer.status for answer in tries] == [200, 200, 200, 200, 429]
    locked = attacker.log_in("reporter", PASSWORD)
    assert locked.status == 429
    assert "Слишком много неудачных попыток входа" in locked.text
    # Recorded against the reader's address: not nginx's own (127.0.0.1), not the forged ones.
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.2"]

    colleague = Browser(stack, source="127.0.0.3")  # another reader, through the same nginx
    signed_in = colleague.log_in("reporter", PASSWORD)
    assert signed_in.status == 302
    assert signed_in.headers["Location"] == "/admin/"
    assert colleague.get("/admin/").status == 200


def test_a_photo_over_the_limit_gets_the_apps_message_not_nginxs_413(stack, reporter):
    journalist = Browser(stack)
    assert journalist.log_in("reporter", PASSWORD).status == 302
    limit = settings.NEWSROOM_MAX_UPLOAD_MB * 1024 * 1024
    body, content_type = multipart("upload", "huge.jpg", jpeg() + bytes(limit), "image/jpeg")
    refused = journalist.post(UPLOAD, body, content_type, timeout=120)
    assert refused.status == 200, refused.text
    message = f"Файл больше {settings.NEWSROOM_MAX_UPLOAD_MB} МБ. Уменьшите фото и загрузите снова."
    assert json.loads(refused.body) == {"uploaded": 0, "error": {"message": message}}
    assert not list(stack.media_root.rglob("huge*"))

    # nginx's own limit sits just above: a body announced beyond it is refused before it is read.
    connection = journalist.connect(HOST, tls=True, timeout=30)
    try:
        connection.putrequest("POST", UPLOAD, skip_host=True)
        connection.putheader("Host", HOST)
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(limit + 2 * 1024 * 1024))
        connection.endheaders()
        assert connection.getresponse().status == 413
    finally:
        connection.close()
