"""Case services: every change of a case is one of these functions (architecture rule 1).

Each is keyword-only, runs in one durable transaction, checks permission and state, locks
the rows it changes, writes CaseEvent rows mirrored into the ledger (no personal data in
the public payload) and queues notifications that are delivered after commit.

- submission: case_draft_save, case_submit (the applicant)
- materials: case_material_upload (the applicant), and the upload pieces assisted shares
- followup: case_supplement_answer, case_withdraw (the applicant, after submitting)
- intake: case_accept, case_refuse, case_supplement_request, case_deem_accept (the window;
  the law)
- handover: handover_send, handover_receive (异地代收代办: the intake window of another
  region and the implementing authority)
- review: task_claim, task_release, task_complete, case_decide, case_conclude
- assisted: assisted_start … assisted_confirm (帮办代办: a window clerk or 帮办员 applies for a
  person, who confirms with an SMS code; imported as `services.assisted`)
- timing: case_suspend, case_resume (suspend_within / resume_within: inside a caller's
  transaction), case_extend, case_deadline_check, task_deadline_check
"""

from yiwang.cases.services.followup import case_supplement_answer, case_withdraw
from yiwang.cases.services.handover import handover_receive, handover_send
from yiwang.cases.services.intake import case_accept, case_deem_accept, case_refuse, case_supplement_request
from yiwang.cases.services.materials import case_material_upload
from yiwang.cases.services.review import case_conclude, case_decide, task_claim, task_complete, task_release
from yiwang.cases.services.submission import case_draft_save, case_submit
from yiwang.cases.services.timing import (
    SPECIAL_PROCEDURES,
    case_deadline_check,
    case_extend,
    case_resume,
    case_suspend,
    check_suspension,
    resume_within,
    suspend_within,
    task_deadline_check,
)

__all__ = [
    "SPECIAL_PROCEDURES",
    "case_accept",
    "case_conclude",
    "case_deadline_check",
    "case_decide",
    "case_deem_accept",
    "case_draft_save",
    "case_extend",
    "case_material_upload",
    "case_refuse",
    "case_resume",
    "case_submit",
    "case_supplement_answer",
    "case_supplement_request",
    "case_suspend",
    "case_withdraw",
    "check_suspension",
    "handover_receive",
    "handover_send",
    "resume_within",
    "suspend_within",
    "task_claim",
    "task_complete",
    "task_deadline_check",
    "task_release",
]
