"""The demo's 帮办代办: jn_window helped 张三 apply; it is his case, submitted, with the helper
recorded and its ledger entries, and a second load adds nothing."""

import pytest
from django.core.management import call_command

from yiwang.cases import assisted_selectors
from yiwang.cases.assisted_workflow import AssistedStatus
from yiwang.cases.models import AssistedApplication, CaseEvent
from yiwang.demo.assisted import load_assisted
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db


def test_zhangsan_was_helped_by_jn_window_and_a_second_load_adds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo")
    helped = AssistedApplication.objects.get(person__username="zhangsan")
    assert helped.status == AssistedStatus.SUBMITTED and helped.helper.username == "jn_window"
    case = helped.case
    assert case.number and case.applicant.username == "zhangsan"
    assert assisted_selectors.assisted_label(case) == "由窗口工作人员 赵敏 帮办"
    confirmed = CaseEvent.objects.get(case=case, verb="assisted_confirmed")
    assert Entry.objects.filter(pk=confirmed.ledger_entry_id, subject=f"case:{case.number}").exists()
    assert "帮办代办：新增 1 件" in capsys.readouterr().out
    assert load_assisted() == 0
