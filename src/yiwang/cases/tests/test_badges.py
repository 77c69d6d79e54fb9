"""The case/stage/task/clock badges come from one template-tag module (cases.templatetags.
case_badges): every status has a tone there, and a page shows the status in it."""

import pytest
from django.template import Context, Template

from yiwang.cases.templatetags.case_badges import CLOCK_BADGES, STATUS_KINDS
from yiwang.cases.workflow import CaseStatus, StageStatus, TaskStatus


@pytest.mark.parametrize("kind", sorted(STATUS_KINDS))
def test_every_status_has_a_tone(kind: str) -> None:
    statuses, tones = STATUS_KINDS[kind]
    assert {s.value for s in statuses} - set(tones) == set()  # type: ignore[attr-defined]


def _render(source: str, **context: object) -> str:
    return Template("{% load case_badges %}" + source).render(Context(context))


def test_badges_show_the_status_label_in_its_tone() -> None:
    assert _render('{% status_badge "case" s %}', s=CaseStatus.DECIDED_DENIED) == (
        f'<span class="badge badge--danger">{CaseStatus.DECIDED_DENIED.label}</span>'
    )
    assert _render('{% status_badge "task" s large=True %}', s=TaskStatus.OPEN) == (
        f'<span class="badge badge--warning badge--large">{TaskStatus.OPEN.label}</span>'
    )
    assert _render('{% status_badge "stage" s "进行中（2/3）" %}', s=StageStatus.ACTIVE) == (
        '<span class="badge badge--info">进行中（2/3）</span>'
    )


def test_clock_badges_name_the_level_and_show_nothing_before_the_clock_starts() -> None:
    assert _render("{% clock_badge level %}", level="overdue") == '<span class="badge badge--overdue">已超期</span>'
    assert _render("{% clock_badge level %}", level="paused") == '<span class="badge badge--neutral">暂停计时</span>'
    assert _render("{% clock_badge level %}", level="not_started") == ""
    assert set(CLOCK_BADGES) == {"overdue", "warning", "paused", "normal"}


def test_a_label_is_escaped() -> None:
    assert "&lt;b&gt;" in _render('{% status_badge "case" s label %}', s=CaseStatus.SUBMITTED, label="<b>")
