"""The rating link of the conclusion notice (registered with cases.hooks)."""

from django.conf import settings

from yiwang.cases.models import Case
from yiwang.ratings.models import Channel, Rating
from yiwang.ratings.policy import rateable
from yiwang.ratings.services import rating_link_issue

RATE_PATH = "/rate/"


def conclusion_invitation(case: Case) -> str:
    """ "欢迎评价…: <link>" for a case not yet rated online; runs in the conclusion's transaction."""
    if not rateable(case) or Rating.objects.filter(case=case, family="online").exists():
        return ""
    days = settings.RATINGS_LINK_DAYS
    token = rating_link_issue(case, channel=Channel.NOTICE_LINK, hours=days * 24)
    return f"欢迎评价本次服务（无需登录，{days} 天内有效，仅可使用一次）：{settings.PUBLIC_URL}{RATE_PATH}{token}"
