"""A brand version's transition table (the catalog versions' pattern, kept small).

| action    | from      | to          | who                                              |
|-----------|-----------|-------------|--------------------------------------------------|
| draft     | (new)     | draft       | a platform administrator                         |
| update    | draft     | draft       | a platform administrator                         |
| discard   | draft     | discarded   | a platform administrator                         |
| publish   | draft     | published   | another administrator than its drafter and its last editor |
| supersede | published | superseded  | the publication of the region's next version     |

A pair not in the table is refused with a Chinese message (`brand_next_status`); a test walks
every pair through the real services.
"""

from enum import StrEnum

from yiwang.brands.models import BrandStatus
from yiwang.core.errors import Conflict


class BrandAction(StrEnum):
    DRAFT = "draft"
    UPDATE = "update"
    DISCARD = "discard"
    PUBLISH = "publish"
    SUPERSEDE = "supersede"


ACTION_LABELS = {
    BrandAction.DRAFT: "起草",
    BrandAction.UPDATE: "修改",
    BrandAction.DISCARD: "废弃",
    BrandAction.PUBLISH: "发布",
    BrandAction.SUPERSEDE: "替代",
}

_S = BrandStatus
BRAND_TRANSITIONS: dict[tuple[BrandStatus | None, BrandAction], BrandStatus] = {
    (None, BrandAction.DRAFT): _S.DRAFT,
    (_S.DRAFT, BrandAction.UPDATE): _S.DRAFT,
    (_S.DRAFT, BrandAction.DISCARD): _S.DISCARDED,
    (_S.DRAFT, BrandAction.PUBLISH): _S.PUBLISHED,
    (_S.PUBLISHED, BrandAction.SUPERSEDE): _S.SUPERSEDED,
}


def brand_next_status(status: BrandStatus | str | None, action: BrandAction, *, number: int = 0) -> BrandStatus:
    """The status after `action`, or a Conflict naming the status and the refused action."""
    current = BrandStatus(status) if status else None
    found = BRAND_TRANSITIONS.get((current, action))
    if found is None:
        label = current.label if current else "（尚不存在）"
        raise Conflict(f"品牌版本 v{number} 状态为“{label}”，不能{ACTION_LABELS[action]}。", rule="brand_transition")
    return found
