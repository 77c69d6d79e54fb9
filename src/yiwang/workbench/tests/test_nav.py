"""The workbench's side navigation: exactly the entries each post may open, in order, the page
being shown marked for assistive technology, and a revoked post gone at the next request."""

import re
from collections.abc import Callable

import pytest
from django.test import Client

from yiwang.accounts.models import Role, StaffRole

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]
LINK = re.compile(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>')
INBOX = [("/workbench/", "待办收件箱"), ("/workbench/cases/", "办件查询")]
MINE = [("/workbench/messages/", "我的消息"), ("/workbench/notifications/", "通知设置")]
NAV = {
    "jn_window": [
        *INBOX,
        ("/workbench/assisted/", "帮办代办"),
        ("/workbench/licenses/", "电子证照"),
        ("/workbench/ratings/", "好差评"),
        *MINE,
    ],
    "jn_planning_rev": [
        *INBOX,
        ("/workbench/licenses/", "电子证照"),
        ("/workbench/reviews/", "专家评审"),
        ("/workbench/supervision/notices/", "督办"),
        *MINE,
    ],
    "sd_supervisor": [
        *INBOX,
        ("/workbench/assisted/lookups/", "帮办查询记录"),
        ("/workbench/ratings/", "好差评"),
        ("/workbench/supervision/", "监察看板"),
        ("/workbench/supervision/evaluation/", "月度考评"),
        ("/workbench/supervision/rules/", "监察规则"),
        ("/workbench/supervision/hits/", "规则命中"),
        ("/workbench/supervision/notices/", "督办"),
        *MINE,
    ],
    "jn_catalog": [*INBOX, ("/workbench/catalog/", "事项库管理"), ("/workbench/improvements/", "服务改进"), *MINE],
    "jn_data_steward": [*INBOX, ("/workbench/exchange/resources/", "数据共享"), *MINE],
}


def side_nav(client: Client, path: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The (address, title) entries of the page's side navigation, and those marked current."""
    html = client.get(path).content.decode()
    start = html.index('<nav aria-label="工作台导航">')
    links = LINK.findall(html[start : html.index("</nav>", start)])
    return [(href, title) for href, _, title in links], [href for href, current, _ in links if current]


@pytest.mark.parametrize("username", sorted(NAV))
def test_each_post_sees_exactly_its_entries_on_every_workbench_page(login_as: Login, username: str) -> None:
    client = login_as(username)
    for path in ["/workbench/", "/workbench/cases/"]:
        assert side_nav(client, path) == (NAV[username], [path])


def test_the_platform_operator_sees_the_back_office_and_the_delivery_pages(login_as: Login) -> None:
    entries, current = side_nav(login_as("admin"), "/workbench/")
    assert entries == [
        *INBOX,
        ("/admin/", "后台管理"),
        *MINE,
        ("/workbench/deliveries/", "消息发送状态"),
        ("/workbench/brands/", "城市品牌"),
    ]
    assert current == ["/workbench/"]


def test_a_revoked_post_leaves_the_navigation_at_the_next_request(login_as: Login) -> None:
    client = login_as("jn_data_steward")
    assert ("/workbench/exchange/resources/", "数据共享") in side_nav(client, "/workbench/")[0]
    StaffRole.objects.filter(user__username="jn_data_steward", role=Role.DATA_STEWARD).delete()
    assert side_nav(client, "/workbench/")[0] == [*INBOX, *MINE]
