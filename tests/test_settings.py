"""Settings come from the environment; production refuses to start with anything essential missing.

Each case imports the settings in a fresh interpreter, as a server start would,
because settings are read once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

GOOD_SECRET = "s" * 20 + "-not-a-real-secret-but-long-enough-for-the-check-" + "x" * 10
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "db = s.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST', ''), "
    "'port': str(db.get('PORT', '')), 'user': db.get('USER', ''), 'debug': s.DEBUG, "
    "'hosts': s.ALLOWED_HOSTS}))"
)
CLEARED = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DEBUG", "SECURE_SSL", "DJANGO_SETTINGS_MODULE")


def run_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environment.update(env, DJANGO_SETTINGS_MODULE=module, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def loaded(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PROD = "archive_site.settings.prod"
PROD_ENV = {
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "treaties.example.org",
    "DATABASE_URL": "postgres://archive@db.example.org:5432/treaties",
}


def test_prod_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PROD_ENV.items() if key != "SECRET_KEY"}
    result = run_settings(PROD, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in the environment for production." in result.stderr


def test_prod_refuses_a_short_or_development_secret_key():
    for weak in ("short", "dev-only-insecure-key-do-not-use-in-production" + "x" * 10):
        result = run_settings(PROD, **{**PROD_ENV, "SECRET_KEY": weak})
        assert result.returncode != 0
        assert "SECRET_KEY must be a long random value in production." in result.stderr


def test_prod_refuses_to_start_without_allowed_hosts_or_a_database():
    result = run_settings(PROD, **{k: v for k, v in PROD_ENV.items() if k != "ALLOWED_HOSTS"})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr
    result = run_settings(PROD, **{k: v for k, v in PROD_ENV.items() if k != "DATABASE_URL"})
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_prod_starts_with_everything_set_and_debug_off():
    values = loaded(run_settings(PROD, **PROD_ENV))
    assert values["debug"] is False
    assert values["hosts"] == ["treaties.example.org"]
    assert values["engine"] == "django.db.backends.postgresql"


def test_a_non_boolean_debug_is_refused_with_its_value():
    result = run_settings("archive_site.settings.dev", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_database_url_selects_the_database():
    values = loaded(
        run_settings("archive_site.settings.dev", DATABASE_URL="postgres://curator@db.example.org:6543/treaties")
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["host"], values["port"], values["user"]) == (
        "treaties",
        "db.example.org",
        "6543",
        "curator",
    )


def test_without_database_url_the_database_is_the_sqlite_file_in_the_project():
    values = loaded(run_settings("archive_site.settings.dev"))
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(settings.BASE_DIR / "db.sqlite3")


def test_an_sqlite_database_url_is_honoured(tmp_path):
    target = tmp_path / "elsewhere.sqlite3"
    values = loaded(run_settings("archive_site.settings.dev", DATABASE_URL=f"sqlite:///{target}"))
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(target)


def test_the_test_run_uses_the_database_its_environment_names():
    """This very test run follows DATABASE_URL too: PostgreSQL when it is set, SQLite otherwise."""
    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
