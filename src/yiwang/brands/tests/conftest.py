import io
from collections.abc import Callable

import pytest
from PIL import Image

from yiwang.accounts.models import Region, User
from yiwang.brands import services
from yiwang.brands.models import Brand

TAIAN = "370900000000"
JINAN = "370100000000"

TAIAN_VALUES = {
    "name": "泰好办",
    "short_name": "泰好办",
    "tagline": "泰山脚下 事事好办",
    "hotline": "0538-12345",
    "hosts": "taian.localhost",
    "primary_colour": "#2e6b34",
    "accent_colour": "#2e6b34",
}
JINAN_VALUES = {
    **TAIAN_VALUES,
    "name": "在泉城全办成",
    "short_name": "泉城办",
    "tagline": "在泉城 全办成",
    "hotline": "0531-12345",
    "hosts": "jinan.localhost",
    "primary_colour": "#0b5e7a",
    "accent_colour": "#0b5e7a",
}


def png(size: tuple[int, int] = (64, 64), colour: str = "#2e6b34") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def admins(world: None) -> tuple[User, User]:
    """The demo's platform administrator and a second one (four eyes)."""
    second = User.objects.create_superuser(username="admin2", password="x-Yiwang-2026", kind="staff")
    return User.objects.get(username="admin"), second


def region(code: str) -> Region:
    return Region.objects.get(code=code)


@pytest.fixture
def publish(admins: tuple[User, User]) -> Callable[..., Brand]:
    """Draft (by admin) and publish (by admin2) a brand for a region."""

    def make(code: str = TAIAN, values: dict[str, str] | None = None, logo: bytes | None = None) -> Brand:
        drafter, publisher = admins
        draft = services.brand_draft(actor=drafter, region=region(code), values=values or TAIAN_VALUES, logo=logo)
        return services.brand_publish(actor=publisher, brand=draft)

    return make
