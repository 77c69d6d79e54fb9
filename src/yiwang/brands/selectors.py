"""Brand reads for the portal (the published brand, its logo) and the workbench (versions)."""

from django.db.models import QuerySet

from yiwang.accounts.models import Region
from yiwang.brands.models import Brand, BrandEvent, BrandStatus
from yiwang.brands.selection import PublicBrand, brand_for_code
from yiwang.core.identifiers import RegionLevel


def published_brand(code: str) -> PublicBrand | None:
    return brand_for_code(code)


def published_logo(code: str) -> bytes | None:
    """The PNG of the published brand of region `code` (six digits), if it has one."""
    if len(code) != 6 or not code.isdigit():
        return None
    row = Brand.objects.filter(status=BrandStatus.PUBLISHED, region__code=f"{code}000000").only("logo_png").first()
    return bytes(row.logo_png) if row is not None and row.logo_png else None


def brand_versions() -> QuerySet[Brand]:
    """Every version, newest first per region, without the logo bytes."""
    return Brand.objects.select_related("region", "drafted_by", "updated_by", "published_by").defer("logo_png")


def live_brands() -> QuerySet[Brand]:
    return brand_versions().filter(status__in=[BrandStatus.DRAFT, BrandStatus.PUBLISHED])


def brand_version(pk: int) -> Brand | None:
    return brand_versions().filter(pk=pk).first()


def brand_logo_of(pk: int) -> bytes | None:
    row = Brand.objects.filter(pk=pk).only("logo_png").first()
    return bytes(row.logo_png) if row is not None and row.logo_png else None


def brand_events(brand: Brand) -> QuerySet[BrandEvent]:
    return BrandEvent.objects.filter(brand=brand).select_related("actor")


def brand_regions() -> QuerySet[Region]:
    """The cities a brand may be made for (prefecture level)."""
    return Region.objects.filter(level=RegionLevel.PREFECTURE.name.lower()).order_by("code")
