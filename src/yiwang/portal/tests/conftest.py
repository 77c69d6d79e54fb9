"""Fixtures portal tests share with the domains' tests."""

from yiwang.exchange.tests.conftest import registry, registry_records  # noqa: F401 - the stand-in data system
