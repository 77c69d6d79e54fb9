"""Which brand a request is under: its host name first, then the visitor's explicit choice of
a city (the `yiwang_city` cookie that /city/<code>/ sets), else none (the platform's own).

The published brands are few (one per city) and read on every page, so each process keeps
them for BRAND_CACHE_SECONDS (0 in tests: read every time); a publication clears the
publishing process's copy at once, the other processes see it within that interval.
"""

import time
from dataclasses import dataclass

from django.conf import settings

from yiwang.accounts.models import Region
from yiwang.brands.models import Brand, BrandStatus

CITY_COOKIE = "yiwang_city"


@dataclass(frozen=True)
class PublicBrand:
    """What a page shows of a published brand (no logo bytes)."""

    region: Region
    number: int
    name: str
    short_name: str
    tagline: str
    hotline: str
    hosts: tuple[str, ...]
    primary_colour: str
    accent_colour: str
    logo_sha256: str

    @property
    def code(self) -> str:
        """The region's six-digit code: the brand's address (/city/<code>/, /brand/<code>.css)."""
        return self.region.short_code

    @property
    def version_tag(self) -> str:
        """Changes with every published version: the stylesheet's and logo's cache buster."""
        return f"{self.number}-{self.logo_sha256[:12]}"


_cached: list[tuple[float, dict[str, PublicBrand]]] = []


def _load() -> dict[str, PublicBrand]:
    rows = (
        Brand.objects.filter(status=BrandStatus.PUBLISHED)
        .select_related("region")
        .defer("logo_png")
        .order_by("region__code")
    )
    return {
        row.region.short_code: PublicBrand(
            region=row.region,
            number=row.number,
            name=row.name,
            short_name=row.short_name,
            tagline=row.tagline,
            hotline=row.hotline,
            hosts=tuple(row.hosts),
            primary_colour=row.primary_colour,
            accent_colour=row.accent_colour,
            logo_sha256=row.logo_sha256,
        )
        for row in rows
    }


def published_brands() -> dict[str, PublicBrand]:
    """Every published brand by its region's six-digit code."""
    seconds = settings.BRAND_CACHE_SECONDS
    now = time.monotonic()
    if seconds > 0 and _cached and now - _cached[0][0] < seconds:
        return _cached[0][1]
    brands = _load()
    _cached[:] = [(now, brands)] if seconds > 0 else []
    return brands


def forget_local() -> None:
    """Drop this process's copy (after a publication commits)."""
    _cached.clear()


def brand_for_host(host: str) -> PublicBrand | None:
    host = host.lower()
    return next((b for b in published_brands().values() if host in b.hosts), None)


def brand_for_code(code: str | None) -> PublicBrand | None:
    return published_brands().get(code or "")


def select_brand(*, host: str, chosen_code: str | None) -> tuple[PublicBrand | None, bool]:
    """The host's brand (and True); on a host of no brand (the platform's own), the city
    chosen at /city/<code>/ (and False), else (None, False)."""
    by_host = brand_for_host(host)
    if by_host is not None:
        return by_host, True
    return brand_for_code(chosen_code), False


def hosts_taken_by_others(region: Region, hosts: list[str], *, published_only: bool = False) -> list[tuple[str, str]]:
    """(host, other region's name) for each of `hosts` a live brand of another region holds."""
    live = [BrandStatus.PUBLISHED] if published_only else [BrandStatus.PUBLISHED, BrandStatus.DRAFT]
    others = Brand.objects.filter(status__in=live).exclude(region=region).select_related("region").defer("logo_png")
    wanted = set(hosts)
    return sorted({(host, row.region.name) for row in others for host in row.hosts if host in wanted})
