"""Debian's nginx with the shipped site in front of gunicorn with the shipped config, on loopback, for a test module.

The site is deploy/nginx/newsroom.conf itself with a few production values replaced (ports, paths, the
certificate): every replaced value must still be in the file, so the test cannot drift from what ships.
"""

import os
import re
import secrets
import ssl
import subprocess
import sys
import time
from pathlib import Path

from bench.cluster import Process, nginx_main_config
from tests.processes import database_environment, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SITE = ROOT / "deploy" / "nginx" / "newsroom.conf"
NGINX = Path("/usr/sbin/nginx")
HOST = "news.example.kz"
MEDIA_HOST = "media.example.kz"
START_TIMEOUT = 90
# The same-host /media/ option ships commented out: its lines are `#location`, `#    alias …`, `#}`
# (prose comments are `# Text`).
COMMENTED_DIRECTIVE = re.compile(r"^(\s*)#(?=\S|\s{4})", re.MULTILINE)


def render_site(*, app_port, http_port, https_port, tls_dir, static_root, media_root, log_dir):
    """The shipped site with its production values replaced, the same-host media option switched on."""
    site = SITE.read_text(encoding="utf-8")
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:80;": "",
        "listen [::]:443 ssl http2;": "",
        "listen 80 default_server;": f"listen 127.0.0.1:{http_port} default_server;",
        "listen 443 ssl default_server;": f"listen 127.0.0.1:{https_port} ssl default_server;",
        "listen [::]:80 default_server;": "",
        "listen [::]:443 ssl default_server;": "",
        "/etc/letsencrypt/live/news.example.kz/": f"{tls_dir}/",
        "/srv/newsroom/staticfiles/": f"{static_root}/",
        "/srv/newsroom/var/media": str(media_root),
        "/var/log/nginx/": f"{log_dir}/",
    }
    for production, test in replacements.items():
        assert production in site, f"{SITE.name} no longer contains {production!r}: update the test's rendering"
        site = site.replace(production, test)
    site, uncommented = COMMENTED_DIRECTIVE.subn(r"\1", site)
    assert uncommented >= 10 and "location /media/ {" in site, "the same-host /media/ option was not found"
    return site


def self_signed_certificate(directory: Path):
    """A certificate for both host names at the names certbot uses; it is also the clients' only trusted CA."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST},DNS:{MEDIA_HOST}",
         "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return directory


def collect_static(static_root: Path):
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
             "STATIC_ROOT": str(static_root)},
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip


class Stack:
    """gunicorn (deploy/gunicorn.conf.py) and nginx (the rendered site) on free loopback ports."""

    def __init__(self, directory: Path, static_root: Path):
        self.directory = directory
        self.static_root = static_root
        self.media_root = directory / "media"
        self.media_root.mkdir()
        self.tls_dir = self_signed_certificate(directory / "tls")
        self.tls = ssl.create_default_context(cafile=self.tls_dir / "fullchain.pem")
        self.app_port, self.http_port, self.https_port = free_port(), free_port(), free_port()
        self.processes = []

    def app_environment(self):
        """Production-like: DEBUG off, HTTPS on, nginx trusted, photos on the media host, the test database."""
        return {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "NEWSROOM_TRUSTED_PROXIES": "127.0.0.1",
            "NEWSROOM_MEDIA_URL": f"https://{MEDIA_HOST}/",
            "MEDIA_ROOT": str(self.media_root),
            "STATIC_ROOT": str(self.static_root),
            "WEB_CONCURRENCY": "2",
            **database_environment(),
        }

    def start(self):
        gunicorn = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                    "--bind", f"127.0.0.1:{self.app_port}"]  # fmt: skip
        self.processes.append(
            Process("gunicorn", gunicorn, self.directory / "gunicorn.log", cwd=ROOT, env=self.app_environment()).start()
        )
        site = self.directory / "newsroom.conf"
        site.write_text(
            render_site(app_port=self.app_port, http_port=self.http_port, https_port=self.https_port,
                        tls_dir=self.tls_dir, static_root=self.static_root, media_root=self.media_root,
                        log_dir=self.directory),
            encoding="utf-8",
        )  # fmt: skip
        config = self.directory / "nginx.conf"
        config.write_text(nginx_main_config(self.directory, site), encoding="utf-8")
        tested = subprocess.run([NGINX, "-t", "-p", self.directory, "-c", config, "-e", self.directory / "error.log"],
                                capture_output=True, text=True, timeout=30)  # fmt: skip
        assert tested.returncode == 0, tested.stderr
        nginx = [NGINX, "-p", self.directory, "-c", config, "-e", self.directory / "error.log"]
        self.processes.append(Process("nginx", nginx, self.directory / "nginx.log").start())
        self.wait_until_ready()

    def wait_until_ready(self):
        """Until /healthz answers 200 through nginx (502 while gunicorn's workers start)."""
        from tests.deploy.client import Browser

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            for process in self.processes:
                process.check_running()
            try:
                if Browser(self).get("/healthz", timeout=5).status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no 200 from /healthz through nginx in {START_TIMEOUT} s:\n"
                                   + "\n".join(process.log_tail() for process in self.processes))  # fmt: skip
            time.sleep(0.3)

    def stop(self):
        for process in reversed(self.processes):
            process.stop()
