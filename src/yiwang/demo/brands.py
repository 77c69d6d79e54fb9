"""The demo's two city brands (issue 16): 济南 "在泉城 全办成" and 泰安 "泰好办", each drafted by
the platform administrator `admin` and published by a second one, `admin2` (four eyes),
with a logo drawn here (Pillow) and the demo host names jinan.localhost / taian.localhost.
Loading twice changes nothing: a city that already has a published brand is left alone."""

import io
import math

from PIL import Image, ImageDraw

from yiwang.accounts.models import Region, User
from yiwang.brands import services
from yiwang.brands.models import Brand, BrandStatus
from yiwang.demo.cities import DEMO_CITIES
from yiwang.demo.world import DEMO_PASSWORD

SECOND_ADMIN = "admin2"
SIZE = 128


def _spring_logo(colour: str) -> bytes:
    """济南, 泉城: a round seal with three rising spring jets over ripples."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, SIZE - 4, SIZE - 4), fill=colour, outline="#ffffff", width=6)
    for x, top in ((44, 40), (64, 28), (84, 40)):
        draw.rounded_rectangle((x - 5, top, x + 5, 80), radius=5, fill="#ffffff")
    for row in (88, 100):
        points = [(x, row + 4 * math.sin(x / 6)) for x in range(26, 103, 2)]
        draw.line(points, fill="#ffffff", width=5)
    return _png(image)


def _mountain_logo(colour: str) -> bytes:
    """泰安, 泰山: a round seal with the mountain and the rising sun."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, SIZE - 4, SIZE - 4), fill=colour, outline="#ffffff", width=6)
    draw.ellipse((74, 26, 98, 50), fill="#ffd34d")
    draw.polygon([(22, 96), (58, 34), (78, 70), (88, 58), (108, 96)], fill="#ffffff")
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


BRANDS = [
    (
        "370100000000",
        {
            "name": DEMO_CITIES[0][0],
            "short_name": "泉城办",
            "tagline": "在泉城 全办成",
            "hotline": "0531-12345",
            "hosts": DEMO_CITIES[0][1],
            "primary_colour": "#0b5e7a",
            "accent_colour": "#0b5e7a",
        },
        _spring_logo,
    ),
    (
        "370900000000",
        {
            "name": DEMO_CITIES[1][0],
            "short_name": "泰好办",
            "tagline": "泰山脚下 事事好办",
            "hotline": "0538-12345",
            "hosts": DEMO_CITIES[1][1],
            "primary_colour": "#2e6b34",
            "accent_colour": "#2e6b34",
        },
        _mountain_logo,
    ),
]


def load_brands() -> int:
    """Publish the demo brands not yet published; the number published."""
    drafter = User.objects.get(username="admin")
    publisher = User.objects.filter(username=SECOND_ADMIN).first()
    if publisher is None:
        publisher = User.objects.create_superuser(
            username=SECOND_ADMIN, password=DEMO_PASSWORD, kind="staff", display_name="平台管理员（复核）"
        )
    published = 0
    for code, values, draw in BRANDS:
        region = Region.objects.get(code=code)
        if Brand.objects.filter(region=region, status=BrandStatus.PUBLISHED).exists():
            continue
        draft = Brand.objects.filter(region=region, status=BrandStatus.DRAFT).first()
        if draft is None:
            draft = services.brand_draft(
                actor=drafter, region=region, values=values, logo=draw(values["primary_colour"])
            )
        services.brand_publish(actor=publisher, brand=draft)
        published += 1
    return published
