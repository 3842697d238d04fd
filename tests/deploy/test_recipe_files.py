"""The production recipe's files agree with the README and with the app: variables, limits, valid units."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
ENV_TEMPLATE = DEPLOY / "newsroom.env.example"
SITE = DEPLOY / "nginx" / "newsroom.conf"

README_NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")
# A setting as systemd's EnvironmentFile= reads it, or the same line commented out (the default is kept).
TEMPLATE_LINE = re.compile(r"^(#\s?)?([A-Z][A-Z0-9_]*)=(\S*)$")


def readme_variables():
    """The names in the first column of README's Configuration table, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [name for row in rows for name in README_NAME.findall(row.split("|")[1])]


def template_settings():
    """(name, value, is_set) for every variable the template names, set or commented out."""
    found = []
    for line in ENV_TEMPLATE.read_text(encoding="utf-8").splitlines():
        match = TEMPLATE_LINE.match(line)
        if match:
            found.append((match[2], match[3], match[1] is None))
    return found


def production_environment(**overrides):
    """The process environment with the template's set variables, as systemd would give them to the app."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "NEWSROOM_"))}
    environment.update({name: value for name, value, is_set in template_settings() if is_set})
    environment.update(overrides)
    return environment


def test_the_env_template_names_every_variable_of_the_readme_table_and_no_other():
    documented = readme_variables()
    named = [name for name, _value, _is_set in template_settings()]
    assert len(documented) > 30  # the table was found and read
    assert sorted(set(named)) == sorted(named), "a variable is named twice in deploy/newsroom.env.example"
    assert sorted(set(documented) - set(named)) == [], "in README's table, missing from deploy/newsroom.env.example"
    assert sorted(set(named) - set(documented)) == [], "in deploy/newsroom.env.example, missing from README's table"


def test_every_line_of_the_env_template_is_a_comment_or_a_plain_setting():
    for number, line in enumerate(ENV_TEMPLATE.read_text(encoding="utf-8").splitlines(), start=1):
        if line and not line.startswith("#"):
            assert TEMPLATE_LINE.match(line), f"line {number} is not NAME=value without spaces or quotes: {line!r}"


def test_the_env_template_as_shipped_refuses_to_start_until_a_secret_key_is_written():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=production_environment(DJANGO_SETTINGS_MODULE="newsroom.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Refusing to start: DJANGO_DEBUG=0 needs DJANGO_SECRET_KEY" in result.stderr


def test_the_env_templates_production_values_pass_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(DJANGO_SECRET_KEY=secrets.token_urlsafe(50)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def nginx_size_mb(value):
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) / {"m": 1, "k": 1024, "": 1024 * 1024}[unit.lower()]


def test_the_sites_body_limit_is_just_above_the_largest_photo_and_import():
    site = SITE.read_text(encoding="utf-8")
    limits = [nginx_size_mb(value) for value in re.findall(r"^\s*client_max_body_size (\S+);", site, re.MULTILINE)]
    app_limit = limits[0]  # the site's server; the media host takes no bodies
    assert settings.NEWSROOM_MAX_UPLOAD_MB < app_limit <= settings.NEWSROOM_MAX_UPLOAD_MB + 2
    assert settings.NEWSROOM_IMPORT_MAX_MB < app_limit
    assert limits[1:] == [1 / 1024]


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="no systemd-analyze (apt-get install systemd); .ci/run installs it")
def test_the_systemd_units_are_valid_for_systemd(tmp_path):
    """systemd-analyze reads them as systemd would, with /srv/newsroom pointing at this checkout."""
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {unit.name for unit in units} >= {
        "newsroom.service",
        "newsroom-worker.service",
        "newsroom-backup.service",
        "newsroom-backup.timer",
    }
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        if unit.suffix == ".service":
            assert "EnvironmentFile=/etc/newsroom/newsroom.env" in text
            assert "NoNewPrivileges=yes" in text and "ProtectSystem=strict" in text
            assert "ReadWritePaths=/srv/newsroom/var" in text
        (tmp_path / unit.name).write_text(text.replace("/srv/newsroom", str(ROOT)), encoding="utf-8")
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", *sorted(str(path) for path in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown or misspelled options are only warned about


def test_the_gunicorn_config_serves_the_app_where_nginx_sends_it():
    config = {}
    exec((DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8"), config)
    assert config["wsgi_app"] == "newsroom.wsgi"
    assert f"server {config['bind']};" in SITE.read_text(encoding="utf-8")
    assert config["forwarded_allow_ips"] == os.environ.get("NEWSROOM_TRUSTED_PROXIES", "127.0.0.1")
