"""Brand writes: draft, update, discard, publish. Each is one durable transaction that checks
the administrator, locks the row, moves the status through `workflow.brand_next_status`,
records a `BrandEvent` and appends its ledger entry (a brand is what the public sees)."""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from yiwang.accounts.models import Region, User
from yiwang.brands import selection
from yiwang.brands.fields import BrandValues, clean_values
from yiwang.brands.logo import LogoRefused, clean_logo
from yiwang.brands.models import Brand, BrandEvent, BrandStatus
from yiwang.brands.policy import require_brand_admin, require_publisher
from yiwang.brands.workflow import BrandAction, brand_next_status
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.ledger.events import BrandVerb, Domain, event_type
from yiwang.ledger.services import ledger_append


def _record(*, verb: BrandVerb, actor: User, brand: Brand, payload: dict[str, Any]) -> BrandEvent:
    kind = event_type(Domain.BRANDS, verb).kind
    payload = {"region": brand.region.code, "number": brand.number, **payload}
    entry = ledger_append(kind=kind, subject=f"brand:{brand.region.code}:v{brand.number}", payload=payload)
    return BrandEvent.objects.create(
        brand=brand, verb=verb, actor=actor, payload=payload, at=clock.now(), ledger_entry_id=entry.pk
    )


def _public(brand: Brand) -> dict[str, Any]:
    """What the ledger keeps of a version: everything the public will see (the logo by digest)."""
    return {
        "name": brand.name,
        "short_name": brand.short_name,
        "tagline": brand.tagline,
        "hotline": brand.hotline,
        "hosts": brand.hosts,
        "primary_colour": brand.primary_colour,
        "accent_colour": brand.accent_colour,
        "logo_sha256": brand.logo_sha256,
    }


def _checked(
    region: Region, raw: Mapping[str, str], logo: bytes | None
) -> tuple[BrandValues, tuple[bytes, str] | None]:
    values, errors = clean_values(raw)
    taken = selection.hosts_taken_by_others(region, values["hosts"])
    if taken and "hosts" not in errors:
        errors["hosts"] = [f"主机名“{host}”已属于{name}的品牌，每个主机名只能属于一个城市。" for host, name in taken]
    cleaned = None
    if logo is not None:
        try:
            cleaned = clean_logo(logo)
        except LogoRefused as exc:
            errors["logo"] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    return values, cleaned


def _write(brand: Brand, values: BrandValues, logo: tuple[bytes, str] | None) -> None:
    for key, value in values.items():
        setattr(brand, key, value)
    if logo is not None:
        brand.logo_png, brand.logo_sha256 = logo


def brand_draft(*, actor: User, region: Region, values: Mapping[str, str], logo: bytes | None = None) -> Brand:
    """A new draft version of `region`'s brand (the published version's logo carries over
    when no new one is given)."""
    require_brand_admin(actor)
    checked, cleaned = _checked(region, values, logo)
    with transaction.atomic(durable=True):
        Region.objects.select_for_update().get(pk=region.pk)  # one drafter per region at a time
        if Brand.objects.filter(region=region, status=BrandStatus.DRAFT).exists():
            raise Conflict(f"{region.name}已有一份品牌草稿，请修改那一份。", rule="brand_one_draft")
        latest = Brand.objects.filter(region=region).order_by("-number").first()
        now = clock.now()
        brand = Brand(
            region=region,
            number=(latest.number if latest else 0) + 1,
            status=brand_next_status(None, BrandAction.DRAFT),
            drafted_by=actor,
            updated_by=actor,
            created_at=now,
            updated_at=now,
        )
        _write(brand, checked, cleaned)
        if cleaned is None and latest is not None and latest.status == BrandStatus.PUBLISHED:
            brand.logo_png, brand.logo_sha256 = bytes(latest.logo_png), latest.logo_sha256
        try:
            with transaction.atomic():
                brand.save()
        except IntegrityError as exc:
            raise Conflict(f"{region.name}已有一份品牌草稿，请修改那一份。", rule="brand_one_draft") from exc
        _record(verb=BrandVerb.DRAFTED, actor=actor, brand=brand, payload=_public(brand))
    return brand


def brand_update(*, actor: User, brand: Brand, values: Mapping[str, str], logo: bytes | None = None) -> Brand:
    """Change a draft; its editor then cannot publish it (four eyes)."""
    require_brand_admin(actor)
    checked, cleaned = _checked(brand.region, values, logo)
    with transaction.atomic(durable=True):
        brand = Brand.objects.select_for_update().select_related("region").get(pk=brand.pk)
        brand.status = brand_next_status(brand.status, BrandAction.UPDATE, number=brand.number)
        _write(brand, checked, cleaned)
        brand.updated_by, brand.updated_at = actor, clock.now()
        brand.save()
        _record(verb=BrandVerb.UPDATED, actor=actor, brand=brand, payload=_public(brand))
    return brand


def brand_discard(*, actor: User, brand: Brand, reason: str = "") -> Brand:
    require_brand_admin(actor)
    with transaction.atomic(durable=True):
        brand = Brand.objects.select_for_update().select_related("region").get(pk=brand.pk)
        brand.status = brand_next_status(brand.status, BrandAction.DISCARD, number=brand.number)
        brand.updated_by, brand.updated_at = actor, clock.now()
        brand.save(update_fields=["status", "updated_by", "updated_at"])
        _record(verb=BrandVerb.DISCARDED, actor=actor, brand=brand, payload={"reason": reason[:200]})
    return brand


def brand_publish(*, actor: User, brand: Brand) -> Brand:
    """Publish a draft (another administrator than its drafter and last editor); the region's
    published version, if any, is superseded in the same transaction."""
    with transaction.atomic(durable=True):
        brand = Brand.objects.select_for_update().select_related("region").get(pk=brand.pk)
        require_publisher(actor, brand)
        brand.status = brand_next_status(brand.status, BrandAction.PUBLISH, number=brand.number)
        taken = selection.hosts_taken_by_others(brand.region, brand.hosts, published_only=True)
        if taken:
            host, name = taken[0]
            raise Conflict(f"主机名“{host}”已被{name}的品牌使用，不能发布。", rule="brand_host_taken")
        previous = Brand.objects.select_for_update().filter(region=brand.region, status=BrandStatus.PUBLISHED).first()
        if previous is not None:
            previous.status = brand_next_status(previous.status, BrandAction.SUPERSEDE, number=previous.number)
            previous.save(update_fields=["status"])
        brand.published_by, brand.published_at = actor, clock.now()
        brand.save(update_fields=["status", "published_by", "published_at"])
        _record(
            verb=BrandVerb.PUBLISHED,
            actor=actor,
            brand=brand,
            payload={**_public(brand), "supersedes": previous.number if previous else None},
        )
    selection.forget_local()
    return brand
