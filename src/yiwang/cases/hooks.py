"""Extension points of the case engine for the apps above it (the ladder: cases never imports
them). An app registers in its `AppConfig.ready`; the engine calls what is registered inside
the transaction of the change.

- `register_conclusion_note(fn)`: `fn(case) -> str` adds a sentence to the applicant's
  conclusion notice (ratings: the one-time rating link); an empty string adds nothing.
- `register_event_observer(fn)`: `fn(case, event)` is called for every case event the engine
  writes, right after the event row (supervision: roll-ups and monitoring rules). An observer
  that raises rolls the change back with it, so observers must not fail on ordinary input.
- `register_resume_guard(fn)`: `fn(case) -> str` says why staff may not end a special procedure
  by hand now (reviews: an expert panel is still open; its conclusion resumes the case); an
  empty string does not object. Checked by `case_resume` under the case's row lock.
"""

from collections.abc import Callable

from yiwang.cases.models import Case, CaseEvent

ConclusionNote = Callable[[Case], str]
_CONCLUSION_NOTES: list[ConclusionNote] = []


def register_conclusion_note(note: ConclusionNote) -> None:
    if note not in _CONCLUSION_NOTES:
        _CONCLUSION_NOTES.append(note)


def conclusion_notes(case: Case) -> list[str]:
    return [text for text in (note(case) for note in _CONCLUSION_NOTES) if text]


EventObserver = Callable[[Case, CaseEvent], None]
_EVENT_OBSERVERS: list[EventObserver] = []


def register_event_observer(observer: EventObserver) -> None:
    if observer not in _EVENT_OBSERVERS:
        _EVENT_OBSERVERS.append(observer)


def event_written(case: Case, event: CaseEvent) -> None:
    for observer in _EVENT_OBSERVERS:
        observer(case, event)


ResumeGuard = Callable[[Case], str]
_RESUME_GUARDS: list[ResumeGuard] = []


def register_resume_guard(guard: ResumeGuard) -> None:
    if guard not in _RESUME_GUARDS:
        _RESUME_GUARDS.append(guard)


def resume_objections(case: Case) -> list[str]:
    return [text for text in (guard(case) for guard in _RESUME_GUARDS) if text]
