"""The one lookup every transition table uses (workflow as data, architecture §3 rule 4).

A table maps (current status or None before the row exists, action) to the next status; a
pair it does not hold is refused with a Conflict naming the thing, its status and the action.
"""

from typing import TypeVar

from django.db.models import TextChoices

from yiwang.core.errors import Conflict

S = TypeVar("S", bound=TextChoices)
A = TypeVar("A", bound=TextChoices)


def next_status(table: dict[tuple[S | None, A], S], states: type[S], status: str | None, action: A, noun: str) -> S:
    """The status `action` leads to from `status` in `table`, or Conflict."""
    state = None if status is None else states(status)
    target = table.get((state, action))
    if target is None:
        label = "尚未建立" if state is None else state.label
        raise Conflict(f"{noun}当前为“{label}”，不能{action.label}。", rule="transition")
    return target
