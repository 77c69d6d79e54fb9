"""Production mode refuses unsafe configuration; the embedded default needs none."""

import os
import subprocess
import sys

import pytest

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_SECURE)"


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "LEDGER_SIGNING_KEY", "YIWANG_ENV"}}
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", CHECK],
        env={**clean, "DJANGO_SETTINGS_MODULE": "yiwang.config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _start({"YIWANG_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = _start({"YIWANG_ENV": "production", "SECRET_KEY": "short"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_ledger_key() -> None:
    result = _start({"YIWANG_ENV": "production", "SECRET_KEY": "x" * 64})
    assert result.returncode != 0 and "LEDGER_SIGNING_KEY" in result.stderr


def test_production_refuses_to_start_without_a_license_issuer_key() -> None:
    from yiwang.ledger.note import generate_key

    skey, _ = generate_key("yiwang.local/ledger")
    result = _start({"YIWANG_ENV": "production", "SECRET_KEY": "x" * 64, "LEDGER_SIGNING_KEY": skey})
    assert result.returncode != 0 and "YIWANG_LICENSE_SIGNING_KEY" in result.stderr


@pytest.mark.parametrize(("env", "secure"), [({"YIWANG_ENV": "development"}, "False"), ({}, "False")])
def test_embedded_default_starts_without_configuration(env: dict[str, str], secure: str) -> None:
    result = _start(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == secure


def test_production_with_keys_uses_secure_cookies(tmp_path: object) -> None:
    from yiwang.ledger.note import generate_key

    skey, _ = generate_key("yiwang.local/ledger")
    license_skey, _ = generate_key("yiwang.local/license")
    result = _start(
        {
            "YIWANG_ENV": "production",
            "SECRET_KEY": "x" * 64,
            "LEDGER_SIGNING_KEY": skey,
            "YIWANG_LICENSE_SIGNING_KEY": license_skey,
            "DATABASE_URL": "sqlite:///:memory:",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_assisted_confirmation_limits_come_from_the_environment() -> None:
    """帮办代办's code lifetime and limits (ADR 0029) are the operator's to set, like every other."""
    check = (
        "import django; django.setup(); from yiwang.cases.services import assisted as a; "
        "print(a.code_minutes(), a.code_attempts_max(), a.code_sends_max(), a.resend_seconds(), a.draft_days())"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "LEDGER_SIGNING_KEY", "YIWANG_ENV"}}
    limits = {
        "ASSISTED_CODE_MINUTES": "3",
        "ASSISTED_CODE_ATTEMPTS": "4",
        "ASSISTED_CODE_SENDS": "2",
        "ASSISTED_RESEND_SECONDS": "90",
        "ASSISTED_DRAFT_DAYS": "7",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", check],
        env={**env, "DJANGO_SETTINGS_MODULE": "yiwang.config.settings", **limits},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "4", "2", "90", "7"]


@pytest.mark.parametrize(
    ("redis_url", "engine", "cache"),
    [
        ("", "django.contrib.sessions.backends.db", "django.core.cache.backends.db.DatabaseCache"),
        ("redis://127.0.0.1:6379/0", "yiwang.accounts.sessions", "yiwang.core.redis_cache.RedisCache"),
    ],
)
def test_sessions_are_read_from_redis_only_when_redis_is_the_cache(redis_url: str, engine: str, cache: str) -> None:
    """ADR 0035: with the database cache a cached session read would be a query too."""
    check = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_ENGINE, settings.CACHES['default']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "YIWANG_ENV"}}
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", check],
        env={**env, "DJANGO_SETTINGS_MODULE": "yiwang.config.settings", "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [engine, cache]
