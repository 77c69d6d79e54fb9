"""我的数据使用记录: every read of a person's data (and of the enterprises they currently act
for), each checked against its ledger entry, and the ledger's own count of those reads.

A `DataRead` row is what the page lists; its ledger entry (written in the same transaction
by `reads.shared_read`) is what makes the list trustworthy. `checked` compares each row with
its entry — kind, grant, the public payload (resource, consumer, fields, reference, outcome,
digest), the time, and the salted commitments to the subject's identifier and the purpose,
recomputed here with the salts kept off the log. `ledger_tally` counts the ledger's reads
whose subject commitment is to one of the person's identifiers (their 居民身份证号, the
统一社会信用代码 of each enterprise they act for) and compares them with the rows listed, so
a read the platform left out of the table still shows up. The salts never leave the server;
the person learns only about reads of their own data.
"""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from yiwang.accounts.models import Department, User
from yiwang.accounts.selectors import agencies_of, person_of
from yiwang.core.errors import ValidationFailed
from yiwang.exchange.models import DataRead, ReadOutcome
from yiwang.exchange.selectors import reads_about
from yiwang.ledger import selectors as ledger
from yiwang.ledger.events import Domain, ExchangeVerb, event_type

PAGE_SIZE = 20
LEDGER_SCAN_MAX = 20_000  # entries looked at for one tally; beyond that the period must shrink
CLOCK_SKEW = dt.timedelta(seconds=60)  # the entry is written moments before its row
KIND = event_type(Domain.EXCHANGE, ExchangeVerb.DATA_READ).kind
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LABELS = {"since": "起始日期", "until": "截止日期", "department": "读取部门"}


@dataclass(frozen=True)
class UsageFilter:
    since: dt.date | None = None
    until: dt.date | None = None
    department: Department | None = None


def _date(raw: str, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        if not DATE.match(raw):
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = [f"{LABELS[name]}：日期格式应为 年-月-日，如 2026-03-01"]
        return None


def usage_filter(raw: Mapping[str, str], departments: Sequence[Department]) -> UsageFilter:
    """The period and department typed on the page; ValidationFailed names each bad field."""
    errors: dict[str, list[str]] = {}
    since = _date(raw.get("since", ""), "since", errors)
    until = _date(raw.get("until", ""), "until", errors)
    if since and until and since > until:
        errors["until"] = ["截止日期：不能早于起始日期"]
    chosen = raw.get("department", "").strip()
    department = None
    if chosen:
        department = next((d for d in departments if str(d.pk) == chosen), None)
        if department is None:
            errors["department"] = ["读取部门：请从列表中选择"]
    if errors:
        raise ValidationFailed(errors)
    return UsageFilter(since=since, until=until, department=department)


def _bounds(chosen: UsageFilter) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start, end) of the chosen days in the platform's time zone."""

    def midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time()))

    start = midnight(chosen.since) if chosen.since else None
    end = midnight(chosen.until + dt.timedelta(days=1)) if chosen.until else None
    return start, end


def reading_departments(user: User) -> QuerySet[Department]:
    """The departments that have read `user`'s data (the page's department filter)."""
    return Department.objects.filter(pk__in=reads_about(user).values("consumer_id")).order_by("name", "id")


def reads_of(user: User, chosen: UsageFilter) -> QuerySet[DataRead]:
    """The reads the page lists, newest first."""
    reads = reads_about(user).select_related("subject_user__person")
    start, end = _bounds(chosen)
    if start is not None:
        reads = reads.filter(at__gte=start)
    if end is not None:
        reads = reads.filter(at__lt=end)
    if chosen.department is not None:
        reads = reads.filter(consumer=chosen.department)
    return reads


# --- each row against its ledger entry ------------------------------------------------------


@dataclass(frozen=True)
class CheckedRead:
    read: DataRead
    entry: ledger.PublicEntry | None
    problems: tuple[str, ...]  # what of the row the ledger does not say; empty when it agrees

    @property
    def consistent(self) -> bool:
        return not self.problems


def _identifiers(read: DataRead) -> list[str]:
    """What `subject_id` the read must have committed to: the enterprise's credit code, the
    person's resident ID number."""
    found = []
    if read.subject_enterprise is not None:
        found.append(read.subject_enterprise.credit_code)
    person = getattr(read.subject_user, "person", None) if read.subject_user is not None else None
    if person is not None:
        found.append(person.id_number)
    return found


def _problems(read: DataRead, salted: ledger.SaltedEntry | None) -> tuple[str, ...]:
    if salted is None:
        return ("账本中没有该条目",)
    entry, payload = salted.entry, salted.payload
    problems = []
    if entry.kind != KIND or entry.subject != f"grant:{read.grant_id}" or payload.get("grant") != read.grant_id:
        problems.append("账本条目不是该授权下的读取记录")
    expected = {
        "resource": (read.resource.code, "数据资源"),
        "consumer": (read.consumer.credit_code, "读取部门"),
        "fields": (read.fields, "信息项"),
        "reference": (read.reference, "关联办件"),
        "outcome": (read.outcome, "结果"),
    }
    if read.outcome == ReadOutcome.OK:
        expected["digest"] = (read.digest, "内容摘要")
    problems += [label for key, (value, label) in expected.items() if payload.get(key) != value]
    if read.outcome == ReadOutcome.FAILED and "failure" not in payload:
        problems.append("失败原因")
    if entry.created_at is None or abs(entry.created_at - read.at) > CLOCK_SKEW:
        problems.append("读取时间")
    if not any(salted.commits_to("subject", identifier) for identifier in _identifiers(read)):
        problems.append("数据主体")
    if not salted.commits_to("purpose", read.purpose):
        problems.append("用途")
    return tuple(problems)


def checked(reads: Sequence[DataRead]) -> list[CheckedRead]:
    """Each of `reads` (one page) with what its ledger entry does not confirm."""
    entries = ledger.salted_entries(read.ledger_entry_id for read in reads)
    return [
        CheckedRead(
            read=read,
            entry=entries[read.ledger_entry_id].entry if read.ledger_entry_id in entries else None,
            problems=_problems(read, entries.get(read.ledger_entry_id)),
        )
        for read in reads
    ]


# --- the ledger's count against the rows -------------------------------------------------------


@dataclass(frozen=True)
class LedgerTally:
    in_ledger: int | None  # reads of the person's data the ledger holds; None: too many to look at
    listed: int  # rows the page lists (all its pages)
    unlisted: list[int]  # ledger entries of such reads no row lists, oldest first
    unconfirmed: int  # listed rows whose entry is not such a read

    @property
    def agrees(self) -> bool:
        return self.in_ledger == self.listed and not self.unlisted and not self.unconfirmed


def identifiers_of(user: User) -> list[str]:
    """The person's resident ID number and the credit codes of the enterprises they act for."""
    person = person_of(user)
    own = [person.id_number] if person is not None else []
    return own + [agency.enterprise.credit_code for agency in agencies_of(user)]


def _in_period(
    salted: ledger.SaltedEntry, chosen: UsageFilter, start: dt.datetime | None, end: dt.datetime | None
) -> bool:
    at = salted.entry.created_at
    if at is None or (start is not None and at < start) or (end is not None and at >= end):
        return False
    return chosen.department is None or salted.payload.get("consumer") == chosen.department.credit_code


def ledger_tally(user: User, chosen: UsageFilter) -> LedgerTally:
    """How many reads of `user`'s data the ledger holds for the chosen period and department,
    against the rows `reads_of` lists."""
    listed = list(reads_of(user, chosen).values_list("ledger_entry_id", flat=True))
    start, end = _bounds(chosen)
    entries = ledger.salted_entries_of_kind(KIND, subject_prefix="grant:", start=start, end=end, limit=LEDGER_SCAN_MAX)
    if entries is None:
        return LedgerTally(in_ledger=None, listed=len(listed), unlisted=[], unconfirmed=0)
    identifiers = identifiers_of(user)
    about: set[int] = {
        salted.entry.id
        for salted in entries
        if _in_period(salted, chosen, start, end) and any(salted.commits_to("subject", i) for i in identifiers)
    }
    return LedgerTally(
        in_ledger=len(about),
        listed=len(listed),
        unlisted=sorted(about - set(listed)),
        unconfirmed=sum(1 for entry_id in listed if entry_id not in about),
    )


def field_labels(read: DataRead) -> list[str]:
    """The read's fields by their labels in the resource's field list (a key the resource no
    longer declares is shown as it is)."""
    labels = {field["key"]: field["label"] for field in read.resource.fields}
    return [labels.get(key, key) for key in read.fields]
