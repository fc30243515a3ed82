"""Settings behave as documented: each case starts a real Python process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from extranet.settings import _email_settings
from extranet.workers import check_worker_count

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.subprocess


def run_django(args, tmp_path, **env):
    """Run manage.py with a clean environment (no local .env) plus `env`."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE",
                       "DJANGO_ALLOW_ASYNC_UNSAFE", "MAILLAGE_ENV_FILE", "WEB_CONCURRENCY"}
    }
    base.update({"MAILLAGE_ENV_FILE": os.devnull, "MAILLAGE_VAR_DIR": str(tmp_path)})
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_production_mode_refuses_to_start_without_secret_key(tmp_path):
    result = run_django(["check"], tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_debug_mode_generates_a_local_secret_key_once(tmp_path):
    first = run_django(["check"], tmp_path, DEBUG="1")
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    second = run_django(["check"], tmp_path, DEBUG="1")
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "secret_key").read_text() == key


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql-but-wrong", "DATABASE_URL is not a valid database URL"),
        ("mysql://root@127.0.0.1:3306/maillage", "DATABASE_URL uses an unsupported engine"),
    ],
)
def test_a_wrong_database_url_gets_a_clear_error(tmp_path, url, message):
    result = run_django(["check"], tmp_path, DEBUG="1", DATABASE_URL=url)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_wrong_boolean_is_named(tmp_path):
    result = run_django(["check"], tmp_path, DEBUG="peut-etre")
    assert result.returncode != 0
    assert "DEBUG must be 0 or 1" in result.stderr


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 10 + "a-long-and-random-looking-secret-key-for-this-test-only-0123456789",
    "ALLOWED_HOSTS": "maillage.example.org",
}


def test_deploy_check_has_no_warning_under_production_settings(tmp_path):
    result = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **PRODUCTION,
        BASE_URL="https://maillage.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_base_url_is_left_at_its_default(tmp_path):
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION)
    assert result.returncode != 0
    assert "maillage.W001" in result.stderr
    assert "BASE_URL is left at its default (http://127.0.0.1:8000)" in result.stderr


def test_serve_refuses_several_workers_with_the_in_memory_layer(tmp_path):
    result = run_django(["serve", "--workers", "2"], tmp_path, DEBUG="1")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr
    assert "Listening" not in result.stdout + result.stderr


def test_worker_check():
    in_memory = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    redis = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    check_worker_count(1, in_memory)
    check_worker_count(4, redis)
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        check_worker_count(2, in_memory)


def test_email_url_parsing():
    assert _email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = _email_settings("smtp://user%40site:p%40ss@mail.example.org:587?tls=1")
    assert smtp["EMAIL_HOST"] == "mail.example.org"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "user@site"
    assert smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True
    assert _email_settings("smtps://mail.example.org")["EMAIL_USE_SSL"] is True
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        _email_settings("pigeon://nowhere")


def test_production_mode_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_django(["check"], tmp_path, DEBUG="0", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_https_makes_the_language_cookie_secure_and_upgrades_requests(tmp_path):
    script = (
        "from django.conf import settings; from django.test import Client; "
        "response = Client().get('/healthz', secure=True); "
        "print(settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SAMESITE); "
        "print(response['Content-Security-Policy'])"
    )
    result = run_django(["shell", "-c", script], tmp_path, DEBUG="1", HTTPS="1", ALLOWED_HOSTS="testserver",
                        BASE_URL="https://maillage.example.org")
    assert result.returncode == 0, result.stderr
    cookie_line, policy = result.stdout.strip().splitlines()[-2:]
    assert cookie_line == "True Lax"
    assert "upgrade-insecure-requests" in policy.split("; ")
    assert "connect-src 'self' wss://maillage.example.org" in policy.split("; ")
