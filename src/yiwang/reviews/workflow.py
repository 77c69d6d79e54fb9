"""专家云评审's status fields as transition tables (core.transitions.next_status).

A panel (`Panel.status`):

| status       | 中文           | how it gets there                                                       |
|--------------|----------------|-------------------------------------------------------------------------|
| waiting_seed | 待产生随机种子 | a reviewer requested it: eligible list committed, case suspended        |
| reviewing    | 评审中         | the first checkpoint holding the request was signed: drawn, invited     |
| concluded    | 已形成结论     | the requester's side concluded it from the signed opinions; case resumes |
| cancelled    | 已取消         | the requester's side cancelled it (e.g. too few experts); case resumes   |

An invitation (`Invitation.status`):

| status   | 中文       | how it gets there                                                  |
|----------|------------|--------------------------------------------------------------------|
| invited  | 待答复     | drawn (or the next of the ranking replacing a decline/expiry)       |
| accepted | 已接受     | the expert accepted; now sees the chosen materials                   |
| declined | 已拒绝     | the expert declined, with a reason: the next of the ranking is invited |
| expired  | 逾期未答复 | not answered by its day (sweep): the next of the ranking is invited   |
| signed   | 已提交意见 | the expert signed a scored opinion                                   |
| withdrawn | 已撤回    | the panel was cancelled while the invitation was open (invited/accepted) |

`None` is the state before the row exists. Nothing moves back.
"""

from django.db.models import TextChoices

from yiwang.core.transitions import next_status


class PanelStatus(TextChoices):
    WAITING_SEED = "waiting_seed", "待产生随机种子"
    REVIEWING = "reviewing", "评审中"
    CONCLUDED = "concluded", "已形成结论"
    CANCELLED = "cancelled", "已取消"


class PanelAction(TextChoices):
    REQUEST = "request", "申请抽取专家"
    DRAW = "draw", "随机抽取"
    CONCLUDE = "conclude", "形成评审结论"
    CANCEL = "cancel", "取消评审"


class InvitationStatus(TextChoices):
    INVITED = "invited", "待答复"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已拒绝"
    EXPIRED = "expired", "逾期未答复"
    SIGNED = "signed", "已提交意见"
    WITHDRAWN = "withdrawn", "已撤回"


class InvitationAction(TextChoices):
    INVITE = "invite", "邀请"
    ACCEPT = "accept", "接受邀请"
    DECLINE = "decline", "拒绝邀请"
    EXPIRE = "expire", "逾期"
    SIGN = "sign", "签署评审意见"
    WITHDRAW = "withdraw", "撤回邀请（评审取消）"


class ConclusionRule(TextChoices):
    MAJORITY = "majority", "少数服从多数"
    CHAIR = "chair", "以组长意见为准"


P, PA = PanelStatus, PanelAction
PANEL_TRANSITIONS: dict[tuple[PanelStatus | None, PanelAction], PanelStatus] = {
    (None, PA.REQUEST): P.WAITING_SEED,
    (P.WAITING_SEED, PA.DRAW): P.REVIEWING,
    (P.WAITING_SEED, PA.CANCEL): P.CANCELLED,
    (P.REVIEWING, PA.CONCLUDE): P.CONCLUDED,
    (P.REVIEWING, PA.CANCEL): P.CANCELLED,
}

IS, IA = InvitationStatus, InvitationAction
INVITATION_TRANSITIONS: dict[tuple[InvitationStatus | None, InvitationAction], InvitationStatus] = {
    (None, IA.INVITE): IS.INVITED,
    (IS.INVITED, IA.ACCEPT): IS.ACCEPTED,
    (IS.INVITED, IA.DECLINE): IS.DECLINED,
    (IS.INVITED, IA.EXPIRE): IS.EXPIRED,
    (IS.ACCEPTED, IA.SIGN): IS.SIGNED,
    (IS.INVITED, IA.WITHDRAW): IS.WITHDRAWN,
    (IS.ACCEPTED, IA.WITHDRAW): IS.WITHDRAWN,
}
# Invitations still open when a panel is cancelled: closed (withdrawn) with it.
OPEN_INVITATION = frozenset({IS.INVITED, IS.ACCEPTED})
# Invitations that leave a seat to the next of the ranking (ledger.draw.REPLACED_STATES).
REPLACED = frozenset({IS.DECLINED, IS.EXPIRED})
OPEN_PANEL = frozenset({P.WAITING_SEED, P.REVIEWING})


def panel_next_status(status: str | None, action: PanelAction) -> PanelStatus:
    return next_status(PANEL_TRANSITIONS, PanelStatus, status, action, "专家评审")


def invitation_next_status(status: str | None, action: InvitationAction) -> InvitationStatus:
    return next_status(INVITATION_TRANSITIONS, InvitationStatus, status, action, "评审邀请")
