"""Which of a bundle part's applicant notices are sent, and what they say about the bundle.

The applicant of a bundle (一件事) applied once: the bundle tells them it was received and,
with delivery "together", delivers every result in one notice (services.bundles). A part's
own routine notices would repeat that, so `part_notice_note` is the one rule every case
notice to an applicant passes (`_base.notify_applicant`):

| notice kind | a part of a bundle delivered together | delivered as ready |
|-------------|---------------------------------------|--------------------|
| receipt     | not sent (the bundle's receipt)       | not sent           |
| progress    | not sent (the bundle page shows it)   | not sent           |
| result      | not sent (the bundle's one delivery)  | sent               |
| action      | sent, saying what it means for the bundle                  |

"action" is everything else: a 补正 to answer, a refusal, a denial, a withdrawal or a
revocation, a special procedure or an extension the law says must be told.
"""

from enum import StrEnum

from yiwang.cases.models import BundleCase, Case
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.bundledoc import parse


class Notice(StrEnum):
    ACTION = "action"  # the applicant must act or must be told (the default)
    RECEIPT = "receipt"  # 申请已提交
    PROGRESS = "progress"  # 已受理
    RESULT = "result"  # an approval (the license issued) and the conclusion (办结)


_ENDED_BADLY = frozenset({CaseStatus.REFUSED, CaseStatus.DECIDED_DENIED, CaseStatus.WITHDRAWN, CaseStatus.REVOKED})
_SUPPLEMENT = frozenset({CaseStatus.SUPPLEMENT_REQUESTED, CaseStatus.SUPPLEMENT_PENDING})


def part_notice_note(case: Case, kind: Notice) -> str | None:
    """For a part of a bundle: None when the bundle speaks for it (the notice is not sent),
    else what the notice should add about the bundle. "" for a case outside any bundle."""
    if case.bundle_id is None:
        return ""
    bundle = BundleCase.objects.select_related("bundle_version").get(pk=case.bundle_id)
    together = bundle.bundle_version.delivery == "together"
    if kind in (Notice.RECEIPT, Notice.PROGRESS) or (kind == Notice.RESULT and together):
        return None
    if kind == Notice.RESULT:
        return ""
    name = bundle.bundle_version.name
    where = f"本事项属于“{name}”（受理编号 {bundle.number}）" if bundle.number else f"本事项属于“{name}”"
    if case.status in _SUPPLEMENT:
        return f"{where}，补正只涉及本事项，其他事项照常办理；补正完成前，一件事的结果暂不能统一送达。"
    if case.status in _ENDED_BADLY:
        parsed, _ = parse(bundle.bundle_version.members, bundle.bundle_version.form, bundle.bundle_version.materials)
        waiting = [m.label for m in parsed.members.members if case.bundle_member in m.after] if parsed else []
        blocked = f"须待本事项准予后办理的“{'、'.join(waiting)}”将无法继续办理；" if waiting else ""
        tail = "其他事项的结果办结后统一送达。" if together else "其他事项继续办理。"
        return f"{where}：{blocked}{tail}"
    return f"{where}。"
