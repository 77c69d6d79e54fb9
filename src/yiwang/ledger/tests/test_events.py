"""The event catalogue: complete, typed, and the only place verbs are spelled.

The scan below reads the platform's source: every `verb=` passed anywhere (writes and
queries alike) must be a
catalogue member (`CaseVerb.ACCEPT`) or built through a verb enum (`CaseVerb(f"...")`),
never a bare string; verbs built at run time are enumerated here from their inputs.
"""

import ast
import datetime as dt
from pathlib import Path
from typing import get_args

import pytest
from django.apps import apps

from yiwang.accounts.models import AccountEvent
from yiwang.cases.services.review import TaskOutcome
from yiwang.cases.workflow import CaseAction
from yiwang.catalog.models import CatalogEvent
from yiwang.ledger.events import (
    CATALOGUE,
    AccountVerb,
    Audience,
    BrandVerb,
    CalendarVerb,
    CaseVerb,
    CatalogVerb,
    Domain,
    ExchangeVerb,
    LedgerVerb,
    LicenseVerb,
    NotificationVerb,
    RatingVerb,
    ReviewVerb,
    SupervisionVerb,
    UnknownEventVerb,
    disclosed_kinds,
    event_type,
    label_of_kind,
)
from yiwang.ledger.models import DomainEvent
from yiwang.workcalendar.models import CalendarEvent

SRC = Path(__file__).resolve().parents[2]
VERB_ENUMS = {
    "CaseVerb",
    "CatalogVerb",
    "AccountVerb",
    "CalendarVerb",
    "NotificationVerb",
    "LicenseVerb",
    "ExchangeVerb",
    "RatingVerb",
    "SupervisionVerb",
    "BrandVerb",
    "ReviewVerb",
    "LedgerVerb",
}


def _verb_arguments() -> list[tuple[str, int, ast.expr]]:
    found = []
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "verb":
                        found.append((str(path.relative_to(SRC)), node.lineno, keyword.value))
    return found


def _is_catalogued_expression(value: ast.expr) -> bool:
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
        return value.value.id in VERB_ENUMS and value.attr in {
            member.name
            for enum in (
                CaseVerb,
                CatalogVerb,
                AccountVerb,
                CalendarVerb,
                NotificationVerb,
                LicenseVerb,
                ExchangeVerb,
                RatingVerb,
                SupervisionVerb,
                BrandVerb,
                ReviewVerb,
                LedgerVerb,
            )
            for member in enum
        }
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return value.func.id in VERB_ENUMS  # the enum constructor refuses an unknown value
    return isinstance(value, ast.Name) and value.id == "verb"  # a helper passing its typed parameter on


def test_every_verb_written_in_the_source_comes_from_the_catalogue() -> None:
    arguments = _verb_arguments()
    assert len(arguments) > 30  # the scan sees the services
    bare = [f"{path}:{line}: {ast.unparse(v)}" for path, line, v in arguments if not _is_catalogued_expression(v)]
    assert bare == []


def test_verbs_built_at_run_time_are_catalogued() -> None:
    for outcome in get_args(TaskOutcome):
        assert CaseVerb(f"task_{outcome}")
    for level in ("warning", "overdue"):
        assert CaseVerb(f"deadline_{level}") and CaseVerb(f"task_deadline_{level}")
    for action in CaseAction:  # base.transition writes the action as its verb
        assert event_type(Domain.CASES, CaseVerb(action.value)).label == action.label


def test_an_unknown_verb_fails_loudly() -> None:
    with pytest.raises(UnknownEventVerb, match="not in the cases catalogue"):
        event_type(Domain.CASES, "approved_by_magic")
    with pytest.raises(ValueError):
        CaseVerb("approved_by_magic")
    assert label_of_kind("bench.submit") == "bench.submit"


def test_every_row_has_a_chinese_label_and_its_kind() -> None:
    for kind, row in CATALOGUE.items():
        assert kind == row.kind == f"{row.domain}.{row.verb}"
        assert row.label and all(not ch.isascii() for ch in row.label), kind
    enums = (
        CaseVerb,
        CatalogVerb,
        AccountVerb,
        CalendarVerb,
        NotificationVerb,
        LicenseVerb,
        ExchangeVerb,
        RatingVerb,
        SupervisionVerb,
        BrandVerb,
        ReviewVerb,
        LedgerVerb,
    )
    assert len(CATALOGUE) == sum(len(enum) for enum in enums)


def test_only_decisions_are_disclosed_and_only_case_events_reach_the_applicant() -> None:
    assert disclosed_kinds() == ["cases.approve", "cases.deny", "cases.revoke"]
    for row in CATALOGUE.values():
        if row.domain != Domain.CASES:
            assert row.audience == Audience.STAFF and not row.disclosed
        if row.disclosed:
            assert row.audience == Audience.APPLICANT


def test_upload_is_shown_once_the_case_was_submitted() -> None:
    upload = event_type(Domain.CASES, CaseVerb.UPLOAD_MATERIAL)
    assert not upload.shown_to_applicant(from_status="draft")
    assert upload.shown_to_applicant(from_status="supplement_requested")
    assert not event_type(Domain.CASES, CaseVerb.TASK_CLAIMED).shown_to_applicant(from_status="in_review")


def test_every_event_table_shares_the_base_row() -> None:
    """One base for the event tables: newest first (a case's or a bundle's own history oldest first),
    and each row names when, what and its subject the same way (the admin's lists)."""
    tables = {m.__name__: m for m in apps.get_models() if issubclass(m, DomainEvent)}
    assert set(tables) == {
        "CaseEvent",
        "BundleCaseEvent",
        "CatalogEvent",
        "AccountEvent",
        "CalendarEvent",
        "NotificationEvent",
        "LicenseEvent",
        "ExchangeEvent",
        "ClientEvent",
        "RatingEvent",
        "SupervisionEvent",
        "BrandEvent",
        "ReviewEvent",
        "LedgerEvent",
    }
    for name, model in tables.items():
        own_history = name in ("CaseEvent", "BundleCaseEvent")
        assert model._meta.ordering == (["at", "id"] if own_history else ["-at", "-id"]), name
        assert model._meta.verbose_name == model._meta.verbose_name_plural != name
    at = dt.datetime(2026, 3, 2, 9, 30)
    rows = [
        CatalogEvent(verb=CatalogVerb.ITEM_VERSION_DRAFTED, subject="item:1", at=at),
        AccountEvent(verb=AccountVerb.REGION_CREATED, subject="region:370100", at=at),
        CalendarEvent(verb=CalendarVerb.YEAR_ADD, year=2027, at=at),
    ]
    assert [str(row) for row in rows] == [
        "2026-03-02 09:30 item_version_drafted item:1",
        "2026-03-02 09:30 region_created region:370100",
        "2026-03-02 09:30 year_add 2027",
    ]
