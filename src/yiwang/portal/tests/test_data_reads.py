"""我的数据使用记录 (/me/data-reads/): a person sees every read of their data and of the
enterprises they act for — department, resource, field labels, purpose, case, outcome — each
with its ledger entry, and the ledger's count; nobody sees anyone else's reads."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import EnterpriseAgent
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.exchange.models import DataRead
from yiwang.exchange.providers import ProviderFailed
from yiwang.exchange.tests.conftest import Registry
from yiwang.exchange.tests.usage_scene import grants, read_enterprise, read_person, records
from yiwang.exchange.usage import PAGE_SIZE

pytestmark = pytest.mark.django_db(transaction=True)
Login = Callable[[str], Client]
URL = "/me/data-reads/"


@pytest.fixture
def registry_records() -> dict[str, Any]:
    return records()


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def test_a_read_of_my_data_shows_with_labels_case_purpose_and_its_ledger_entry(
    login_as: Login, registry: Registry
) -> None:
    grants()
    case = flows.submit(ImplementationVersionFactory())
    read = read_person("zhangsan", reference=case.number)
    page = login_as("zhangsan").get(URL)
    assert page.status_code == 200
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    [row] = _rows(html)
    assert "济南市行政审批服务局" in row and "户籍信息" in row and "济南市市场监督管理局" in row
    assert "信息项：姓名、住址" in row and "address" not in row
    assert "食品经营许可申请：核验申请人身份信息" in row and "成功" in row
    assert f'href="/me/cases/{case.number}/"' in row
    assert f'href="/ledger/entries/{read.ledger_entry_id}/"' in row and "与账本一致" in row
    assert "账本中有 1 条，本页列出 1 条" in html
    assert 'href="/me/data-reads/" aria-current="page"' in html  # in the navigation
    # The case link only for the person's own case: lisi's read naming it shows the number, unlinked.
    read_person("lisi", reference=case.number)
    lisi = login_as("lisi").get(URL).content.decode()
    [other] = _rows(lisi)
    assert case.number in other and "/me/cases/" not in other


def test_another_persons_reads_never_show(login_as: Login, registry: Registry) -> None:
    grants()
    read_person("lisi", purpose="核验李四的住址")
    html = login_as("zhangsan").get(URL).content.decode()

    assert _rows(html) == [] and "核验李四的住址" not in html and "暂无数据使用记录" in html
    assert "账本中有 0 条，本页列出 0 条" in html
    assert "核验李四的住址" in login_as("lisi").get(URL).content.decode()


def test_an_agent_sees_the_enterprises_reads_until_the_agency_ends(login_as: Login, registry: Registry) -> None:
    grants()
    read_enterprise()
    [row] = _rows(login_as("lisi").get(URL).content.decode())
    assert "济南泉城餐饮管理有限公司" in row and "企业名称、统一社会信用代码、法定代表人" in row
    EnterpriseAgent.objects.filter(person__user__username="lisi").update(
        revoked_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    )
    html = login_as("lisi").get(URL).content.decode()
    assert _rows(html) == [] and "济南泉城餐饮管理有限公司" not in html
    assert len(_rows(login_as("wangwu").get(URL).content.decode())) == 1  # still the legal representative


def test_a_failed_read_shows_failed_with_the_reason(login_as: Login, registry: Registry) -> None:
    grants()
    registry.control(fail_next=5, status=503)
    with pytest.raises(ProviderFailed) as failed:
        read_person("zhangsan")
    [row] = _rows(login_as("zhangsan").get(URL).content.decode())
    assert "失败" in row and "成功" not in row and failed.value.message in row and "与账本一致" in row


def test_a_tampered_row_is_marked_inconsistent_with_the_ledger(login_as: Login, registry: Registry) -> None:
    grants()
    kept = read_person("zhangsan")
    tampered = read_person("zhangsan")
    DataRead.objects.filter(pk=tampered.pk).update(fields=["name"], purpose="例行核查")
    html = login_as("zhangsan").get(URL).content.decode()
    newest, oldest = _rows(html)
    assert "与账本不一致" in newest and "不符：信息项、用途" in newest
    assert "与账本不一致" not in oldest and str(kept.ledger_entry_id) in oldest
    assert "账本中有 2 条，本页列出 2 条，条数一致" in html and "当前页有 1 条记录的内容与账本不一致" in html
    # A read of lisi's data moved onto zhangsan's page: the ledger says it is not about him.
    moved = read_person("lisi")
    DataRead.objects.filter(pk=moved.pk).update(subject_user=tampered.subject_user)
    html = login_as("zhangsan").get(URL).content.decode()
    assert "不符：数据主体" in _rows(html)[0]
    assert "账本中有 2 条，本页列出 3 条，与账本不一致" in html and "有 1 条在账本中找不到相符的读取记录" in html


def test_a_read_missing_from_the_table_is_named_from_the_ledger(login_as: Login, registry: Registry) -> None:
    grants()
    read_person("zhangsan")
    dropped = read_person("zhangsan")
    DataRead.objects.filter(pk=dropped.pk).delete()
    html = login_as("zhangsan").get(URL).content.decode()
    assert "账本中有 2 条，本页列出 1 条" in html
    assert f'href="/ledger/entries/{dropped.ledger_entry_id}/"' in html


def test_pages_hold_a_bounded_number_of_rows(login_as: Login, registry: Registry) -> None:
    grants()
    for _ in range(PAGE_SIZE + 1):
        read_person("zhangsan")
    client = login_as("zhangsan")
    first = client.get(URL).content.decode()
    assert len(_rows(first)) == PAGE_SIZE == 20 and "第 1 / 2 页" in first
    assert f"账本中有 {PAGE_SIZE + 1} 条，本页列出 {PAGE_SIZE + 1} 条" in first
    assert len(_rows(client.get(URL, {"page": "2"}).content.decode())) == 1
    assert len(_rows(client.get(URL, {"page": "999999999999999999999"}).content.decode())) == 1  # the last page
    since = client.get(URL, {"since": "2000-01-01"}).content.decode()
    assert '<a href="?since=2000-01-01&amp;page=2" rel="next">下一页</a>' in since  # the filter stays on


def test_the_filters_narrow_the_list(login_as: Login, registry: Registry) -> None:
    grants()
    read_person("zhangsan")
    client = login_as("zhangsan")
    html = client.get(URL).content.decode()
    [department_id] = re.findall(r'<option value="(\d+)">济南市行政审批服务局</option>', html)
    assert len(_rows(client.get(URL, {"department": department_id}).content.decode())) == 1
    later = client.get(URL, {"since": "2099-01-01"}).content.decode()
    assert _rows(later) == [] and "所选期间和部门没有读取您数据的记录" in later and 'value="2099-01-01"' in later


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-02-30"}, "起始日期：日期格式应为 年-月-日，如 2026-03-01"),
        ({"until": "x" * 5000}, "截止日期：日期格式应为 年-月-日，如 2026-03-01"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "截止日期：不能早于起始日期"),
        ({"department": "市场监管局"}, "读取部门：请从列表中选择"),
    ],
)
def test_bad_filter_input_is_a_clear_chinese_error(login_as: Login, query: dict[str, str], message: str) -> None:
    page = login_as("zhangsan").get(URL, query)
    assert page.status_code == 400 and message in page.content.decode()


def test_only_signed_in_applicants(login_as: Login) -> None:
    assert Client().get(URL).status_code == 302
    assert login_as("jn_window").get(URL).status_code == 403
