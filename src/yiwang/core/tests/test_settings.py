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
