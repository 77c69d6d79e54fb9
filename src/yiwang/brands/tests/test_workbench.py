"""城市品牌 in the workbench: a platform administrator drafts with a logo, a second one publishes."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.accounts.models import User
from yiwang.brands.models import Brand, BrandStatus
from yiwang.brands.tests.conftest import TAIAN, TAIAN_VALUES, png


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_draft_with_a_logo_then_a_second_administrator_publishes(admins: tuple[User, User]) -> None:
    first, second = _client(admins[0]), _client(admins[1])
    assert "起草城市品牌" in first.get("/workbench/brands/").content.decode()
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = first.post("/workbench/brands/new/", {**TAIAN_VALUES, "region": TAIAN, "logo": logo})
    brand = Brand.objects.get(region__code=TAIAN)
    assert response.status_code == 302 and response["Location"] == f"/workbench/brands/{brand.pk}/"
    page = first.get(f"/workbench/brands/{brand.pk}/").content.decode()
    assert "须由另一位平台管理员复核发布" in page and "复核通过并发布" not in page
    assert f"/workbench/brands/{brand.pk}/preview.css" in page and "style=" not in page
    first.post(f"/workbench/brands/{brand.pk}/publish/")
    assert Brand.objects.get(pk=brand.pk).status == BrandStatus.DRAFT  # refused: the drafter

    css = second.get(f"/workbench/brands/{brand.pk}/preview.css").content.decode()
    assert ".brand-preview .site-header { background-color: #2e6b34;" in css
    assert second.get(f"/workbench/brands/{brand.pk}/logo.png")["Content-Type"] == "image/png"
    assert "复核通过并发布" in second.get(f"/workbench/brands/{brand.pk}/").content.decode()
    second.post(f"/workbench/brands/{brand.pk}/publish/")
    assert Brand.objects.get(pk=brand.pk).status == BrandStatus.PUBLISHED
    assert "泰好办" in Client(HTTP_HOST="taian.localhost").get("/").content.decode()


def test_a_refused_colour_and_logo_keep_what_was_typed(admins: tuple[User, User]) -> None:
    svg = SimpleUploadedFile("logo.png", b"<svg><script>alert(1)</script></svg>", content_type="image/png")
    response = _client(admins[0]).post(
        "/workbench/brands/new/", {**TAIAN_VALUES, "region": TAIAN, "primary_colour": "#ffcc00", "logo": svg}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "主色 #ffcc00 上的白色文字的对比度只有" in html and "不接受 SVG" in html
    assert 'value="泰山脚下 事事好办"' in html
    assert not Brand.objects.exists()


def test_only_platform_administrators_see_the_brand_pages(admins: tuple[User, User]) -> None:
    clerk = _client(User.objects.get(username="jn_window"))
    assert clerk.get("/workbench/brands/").status_code == 403
    assert clerk.post("/workbench/brands/new/", {**TAIAN_VALUES, "region": TAIAN}).status_code == 403
    assert not Brand.objects.exists()
