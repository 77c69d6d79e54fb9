"""Which case numbers a person may follow from another page — a message, a license, a data
read — so those pages link only to cases the person may open (cases.selectors decides)."""

from collections.abc import Iterable

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.cases.selectors import case_list_visible_to


def case_numbers_visible_to(user: User, numbers: Iterable[str]) -> set[str]:
    """Which of `numbers` name cases `user` may open (the message centres link only those)."""
    wanted = {n for n in numbers if n}
    if not wanted:
        return set()
    return {n for n in case_list_visible_to(user).filter(number__in=wanted).values_list("number", flat=True) if n}


def case_numbers_of_references(user: User, references: Iterable[str]) -> dict[str, str]:
    """reference -> the number of the case `user` may open, for the references a data read
    names: a case number, or `draft:<id>` (免提交 shared data is read just before the
    submission gives the application its number; cases.evidence.fetch_shared)."""
    references = [r for r in references if r]
    drafts = {int(r[6:]): r for r in references if r.startswith("draft:") and r[6:].isdigit() and len(r) < 20}
    numbers = {pk: number for pk, number in Case.objects.filter(pk__in=drafts).values_list("pk", "number") if number}
    candidates = {r: r for r in references if not r.startswith("draft:")}
    candidates |= {ref: numbers[pk] for pk, ref in drafts.items() if pk in numbers}
    visible = case_numbers_visible_to(user, candidates.values())
    return {ref: number for ref, number in candidates.items() if number in visible}
