import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, django
django.setup()
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({
    "class": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "endpoint": getattr(default_storage, "endpoint_url", None),
    "url": default_storage.url("covers/2026/11/photo.jpg"),
}))
"""


def storage_with(**env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("NEWSROOM_S3_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="newsroom.settings")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_uploads_go_to_the_local_disk_by_default():
    storage = storage_with()
    assert storage["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert storage["url"] == "/media/covers/2026/11/photo.jpg"


def test_s3_compatible_storage_when_a_bucket_is_configured():
    storage = storage_with(
        NEWSROOM_S3_BUCKET="newsroom-media",
        NEWSROOM_S3_ENDPOINT_URL="https://storage.example.kz",
        NEWSROOM_S3_ACCESS_KEY="key",
        NEWSROOM_S3_SECRET_KEY="secret",
        NEWSROOM_S3_CUSTOM_DOMAIN="media.example.kz",
    )
    assert storage["class"] == "storages.backends.s3.S3Storage"
    assert storage["bucket"] == "newsroom-media"
    assert storage["endpoint"] == "https://storage.example.kz"
    assert storage["url"] == "https://media.example.kz/covers/2026/11/photo.jpg"
