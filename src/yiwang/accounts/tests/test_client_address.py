"""The client address behind the trusted reverse proxies (what login throttling counts by)."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from yiwang.accounts.client_address import UNKNOWN, client_address
from yiwang.config.env import trusted_networks

TRUSTED = ("10.0.0.0/8", "2001:db8:ffff::/48")


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # an untrusted peer cannot name its address
        ("10.0.0.2", None, "10.0.0.2"),  # from inside, nothing forwarded
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "192.0.2.66, 198.51.100.1", "198.51.100.1"),  # the left part is the client's own words
        ("10.0.0.2", "198.51.100.1, 10.1.2.3", "198.51.100.1"),  # two proxies in a row
        ("10.0.0.2", "198.51.100.1:51234", "198.51.100.1"),
        ("10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
        ("10.0.0.2", "::ffff:198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "10.1.2.3, 10.4.5.6", "10.0.0.2"),  # only our own proxies
        ("10.0.0.2", "198.51.100.1, bogus", "10.0.0.2"),  # a broken chain is not believed
        ("2001:db8:ffff::1", "2001:db8:1::5", "2001:db8:1::5"),
        ("", "198.51.100.1", UNKNOWN),  # an unreadable peer is still counted, per account
        ("unix:/run/granian.sock", None, UNKNOWN),
    ],
)
def test_client_address(settings: Any, remote: str, forwarded: str | None, expected: str) -> None:
    settings.TRUSTED_PROXIES = TRUSTED
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_with_no_trusted_proxies_the_peer_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ()
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_address(request) == "127.0.0.1"


def test_trusted_proxies_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIWANG_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8 ,fd00::/8")
    assert trusted_networks("YIWANG_TRUSTED_PROXIES") == ("127.0.0.1/32", "10.0.0.0/8", "fd00::/8")
    monkeypatch.setenv("YIWANG_TRUSTED_PROXIES", "nginx.internal")
    with pytest.raises(ImproperlyConfigured, match="YIWANG_TRUSTED_PROXIES"):
        trusted_networks("YIWANG_TRUSTED_PROXIES")
    monkeypatch.delenv("YIWANG_TRUSTED_PROXIES")
    assert trusted_networks("YIWANG_TRUSTED_PROXIES") == ()
