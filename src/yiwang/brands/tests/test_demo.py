"""The demo's brands: published by a second administrator, loading twice changes nothing."""

from django.test import Client

from yiwang.brands.models import Brand, BrandStatus
from yiwang.demo.brands import load_brands
from yiwang.demo.cities import city_notes


def test_the_demo_publishes_both_cities_once(world: None) -> None:
    assert load_brands() == 2
    assert load_brands() == 0
    published = Brand.objects.filter(status=BrandStatus.PUBLISHED).order_by("region__code")
    assert [(b.name, b.drafted_by.username, b.published_by.username) for b in published] == [
        ("在泉城全办成", "admin", "admin2"),
        ("泰好办", "admin", "admin2"),
    ]
    assert all(b.has_logo for b in published)
    assert "泰好办" in Client(HTTP_HOST="taian.localhost").get("/").content.decode()


def test_the_demo_run_prints_both_city_portals() -> None:
    assert city_notes("127.0.0.1", 8000) == [
        "城市品牌“在泉城全办成”：http://jinan.localhost:8000/ （或 http://127.0.0.1:8000/city/370100/）",
        "城市品牌“泰好办”：http://taian.localhost:8000/ （或 http://127.0.0.1:8000/city/370900/）",
    ]
