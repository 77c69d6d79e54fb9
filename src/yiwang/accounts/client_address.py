"""The address of the person behind a request, as far as the platform can trust it.

REMOTE_ADDR is the peer that opened the connection. Behind the documented reverse proxy
(nginx, docs/operations.md) that peer is the proxy, which appends the address it saw to
X-Forwarded-For. Anyone can send that header, so it is read only when the peer is one of
settings.TRUSTED_PROXIES, and then from the right: each trusted hop vouches for the entry
before it, and the right-most entry that is *not* a trusted proxy is the client. Whatever a
client wrote further left is never believed. Login throttling (django-axes,
AXES_CLIENT_IP_CALLABLE) counts failures by this address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

# Counted for a peer whose address cannot be read (a misconfigured server): still per account,
# and never an empty value, which the database would store as NULL and never match again.
UNKNOWN = "0.0.0.0"  # noqa: S104 - a label, not a socket to bind

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in configured)


def _parse(value: str) -> IPAddress | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or, when that is a trusted proxy, the right-most
    X-Forwarded-For entry that is not a trusted proxy."""
    peer = _parse(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return UNKNOWN
    remote = str(peer)
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(peer, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed(forwarded.split(",")):
        address = _parse(hop)
        if address is None:
            # A trusted proxy appends a well-formed address; garbage here means the chain is
            # broken, so fall back to the peer rather than believe anything further left.
            return remote
        if not _trusted(address, networks):
            return str(address)
    return remote  # no header, or only our own proxies: the request came from inside
