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

from django.db.models import TextChoices

from yiwang.brands.models import BrandStatus
from yiwang.core.transitions import next_status


class BrandAction(TextChoices):
    DRAFT = "draft", "起草"
    UPDATE = "update", "修改"
    DISCARD = "discard", "废弃"
    PUBLISH = "publish", "发布"
    SUPERSEDE = "supersede", "替代"


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
    return next_status(BRAND_TRANSITIONS, BrandStatus, status or None, action, f"品牌第 {number} 版")
