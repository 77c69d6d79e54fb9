"""Catalog test fixtures: the demo world (which includes the demo catalog) and helpers."""

from typing import TYPE_CHECKING

import pytest
from django.test import override_settings

if TYPE_CHECKING:
    from yiwang.accounts.models import User


@pytest.fixture(autouse=True)
def _fast_passwords() -> object:
    """The demo world creates ~20 logins; a fast hasher keeps each test's setup short."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def drafter(world: None) -> "User":
    from yiwang.accounts.models import User

    return User.objects.get(username="sd_catalog")


@pytest.fixture
def reviewer(world: None) -> "User":
    from yiwang.accounts.models import User

    return User.objects.get(username="jn_catalog")
