import datetime as dt

import pytest

from yiwang.core import clock
from yiwang.core.dates import parse_day


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), ("2026-12-04", dt.date(2026, 12, 4)), ("2000-01-01", dt.date(2000, 1, 1))],
)
def test_a_day_is_read(raw: str, expected: dt.date | None) -> None:
    errors: dict[str, list[str]] = {}
    with clock.frozen(dt.date(2026, 12, 4)):
        assert parse_day(raw, key="since", label="开始日期", errors=errors) == expected
    assert errors == {}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("9999-12-31", "须在 2000-01-01 至 2027-12-05 之间"),
        ("0001-01-01", "须在"),
        ("1999-12-31", "须在"),
        ("2026-13-01", "请按 年-月-日 填写"),
        ("２０２６-０１-０１", "请按 年-月-日 填写"),  # full-width digits
        ("2026-1-1", "请按 年-月-日 填写"),
        ("yesterday!", "请按 年-月-日 填写"),
    ],
)
def test_a_bad_day_is_named(raw: str, says: str) -> None:
    errors: dict[str, list[str]] = {}
    with clock.frozen(dt.date(2026, 12, 4)):
        assert parse_day(raw, key="until", label="结束日期", errors=errors) is None
    assert errors["until"][0].startswith("结束日期：") and says in errors["until"][0]
