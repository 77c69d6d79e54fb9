from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords_and_private_media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The demo world hashes ~20 passwords (a fast hasher saves seconds); the demo cases'
    materials go to a per-test directory."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DATA_DIR = tmp_path  # the demo API client's credentials file


@pytest.fixture(autouse=True)
def _a_tenth_of_the_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """load_demo's months of history take tens of seconds; the named stories (every open
    state, the rule hits) and a tenth of the regular cases say the same in a few."""
    from yiwang.demo import history

    monkeypatch.setattr(history, "VOLUME", 0.1)
