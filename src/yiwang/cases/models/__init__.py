"""Case engine storage, one module per aggregate part.

- `case`: the case (办件) with its denormalised status and due dates, its events (the
  history, mirrored into the ledger) and the case-number counter.
- `work`: stage and task rows that run the pinned process definition.
- `timing`: the clock ledger (ClockEvent) of cases and tasks.
- `materials`: uploaded materials, fetched 免提交 materials (evidence) and supplement (补正)
  requests.
- `access`: the log of every staff read of a case.
- `bundle`: a bundle application (一件事) owning its part cases, its uploads and events.
- `assisted`: an application a window clerk or 帮办员 fills in for a person (帮办代办), and
  the log of the helpers' searches for the person.
- `handover`: the hand-over record of an application received in another region (异地代收代办).
"""

from yiwang.cases.models.access import CaseAccessLog
from yiwang.cases.models.assisted import AssistedApplication, AssistedLookup
from yiwang.cases.models.bundle import BundleCase, BundleCaseEvent, BundleUpload
from yiwang.cases.models.case import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    Decision,
    DeliveryMethod,
)
from yiwang.cases.models.handover import Handover
from yiwang.cases.models.materials import CaseEvidence, CaseMaterial, EvidenceFailure, SupplementRequest
from yiwang.cases.models.timing import ClockEvent
from yiwang.cases.models.work import Stage, Task

__all__ = [
    "AssistedApplication",
    "AssistedLookup",
    "BundleCase",
    "BundleCaseEvent",
    "BundleUpload",
    "Case",
    "CaseAccessLog",
    "CaseEvent",
    "CaseEvidence",
    "CaseMaterial",
    "CaseNumberCounter",
    "ClockEvent",
    "Decision",
    "DeliveryMethod",
    "EvidenceFailure",
    "Handover",
    "Stage",
    "SupplementRequest",
    "Task",
]
