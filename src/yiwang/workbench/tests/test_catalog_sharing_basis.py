"""事项库管理 shows, for each material fetched by data sharing (免提交), the data resource it
names and the grant the implementing department relies on, or plainly that there is none."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.catalog.tests.helpers import food_draft
from yiwang.demo.exchange import BIRTH_REGISTRATION, FOOD_LICENSE, load_exchange
from yiwang.exchange import services
from yiwang.exchange.models import Grant
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]
HYGIENE = "000117006000"  # 公共场所卫生许可 (卫健委: no grant on the enterprise register)
NO_GRANT = "本部门暂无该资源的有效共享授权：申请人不会被要求提交，需由部门自行获取"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def shared(world: None) -> None:
    load_exchange()


def in_force(basic_code: str) -> ImplementationVersion:
    return ImplementationVersion.objects.get(
        implementation__item__basic_code=basic_code, status=VersionStatus.PUBLISHED
    )


def seen(client: Client, version: ImplementationVersion) -> str:
    response = client.get(f"/workbench/catalog/implementation-versions/{version.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_sound_html(html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def material_line(page: str, name: str) -> str:
    """The text of one material's entry in the 申请材料 list (up to the next material)."""
    start = page.index(f"{name}（")
    return page[start : start + 200]


def test_the_food_licence_shows_the_grant_its_business_license_relies_on(shared: None, login_as: Login) -> None:
    grant = Grant.objects.select_related("demand").get(
        resource__code="scjg.enterprise_register", consumer__name="济南市行政审批服务局"
    )
    page = seen(login_as("sd_catalog"), in_force(FOOD_LICENSE))
    line = material_line(page, "营业执照")
    assert (
        "依据共享授权：市场主体登记信息（济南市市场监督管理局）→ 济南市行政审批服务局，"
        f"需求 {grant.demand.number}，长期有效" in line
    )
    assert NO_GRANT not in page
    # the provider suspends the grant: the page says at once that nothing is fetched under it
    services.grant_suspend(actor=User.objects.get(username="jn_market_data"), grant_id=grant.pk, reason="系统维护")
    page = seen(login_as("sd_catalog"), in_force(FOOD_LICENSE))
    assert "依据共享授权" not in page
    assert "数据资源“市场主体登记信息”（济南市市场监督管理局）。" + NO_GRANT in material_line(page, "营业执照")


def test_a_department_without_a_grant_gets_the_warning(shared: None, login_as: Login) -> None:
    page = seen(login_as("sd_catalog"), in_force(HYGIENE))
    assert NO_GRANT in material_line(page, "营业执照")
    assert "依据共享授权" not in page


def test_a_code_naming_no_published_resource_is_said_so(shared: None, login_as: Login) -> None:
    page = seen(login_as("sd_catalog"), in_force(BIRTH_REGISTRATION))
    assert "未找到数据资源 人口基础信息" in material_line(page, "夫妻双方居民身份证")
    household = material_line(page, "申请人户口簿")
    assert "依据共享授权：户籍信息（济南市大数据局）→ 济南市卫生健康委员会" in household
    # materials from elsewhere (e-licenses) carry no sharing line
    assert "依据共享授权" not in material_line(page, "结婚证") and "未找到" not in material_line(page, "结婚证")


def test_without_the_exchange_demo_nothing_is_granted(world: None, login_as: Login) -> None:
    page = seen(login_as("sd_catalog"), in_force(FOOD_LICENSE))
    assert "未找到数据资源 scjg.enterprise_register" in material_line(page, "营业执照")


def test_the_drafter_editing_a_change_sees_the_basis_above_the_form(shared: None, login_as: Login) -> None:
    drafter = User.objects.get(username="sd_catalog")
    draft = food_draft(drafter)
    page = seen(login_as("sd_catalog"), draft)
    assert "编辑草稿" in page and "免提交材料的共享依据" in page
    assert "营业执照 依据共享授权：市场主体登记信息（济南市市场监督管理局）→ 济南市行政审批服务局" in page
