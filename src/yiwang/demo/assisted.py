"""帮办代办 in the demo (ADR 0029): 赵敏 (jn_window, the 济南 综合受理窗口) helped 张三 apply for
户外广告设置许可 at the window two working days ago — filled in the form with him, scanned his
papers, sent the code to his phone; 张三 read it out and the application went in in his name.
It shows in his 我的办件 as "由窗口工作人员 赵敏 帮办" and in the ledger. Loading is idempotent.

Built through the services like every demo case. The stored outbox row does not keep the code
once it is delivered, so while the code goes out the SMS channel is `DemoPhone` — the demo's
stand-in for 张三 reading his phone — and the message is delivered there at once."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

from yiwang.accounts.models import User
from yiwang.cases.assisted_workflow import AssistedStatus
from yiwang.cases.models import AssistedApplication
from yiwang.cases.services import assisted
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.demo.cases import SIGN_MATERIALS, Script, _upload, demo_anchor
from yiwang.demo.items import SIGN
from yiwang.notifications.models import Message
from yiwang.notifications.services import messages_deliver_pending

FORM = {"sign_site": "济南市历下区泉城路99号张三书店门头上方", "sign_size": "4.5"}


def load_assisted() -> int:
    """Create the demo's assisted application if it is missing; returns how many were made."""
    zhangsan = User.objects.get(username="zhangsan")
    if AssistedApplication.objects.filter(person=zhangsan, status=AssistedStatus.SUBMITTED).exists():
        return 0
    calendar = working_calendar()
    if not calendar.years:
        return 0
    s = Script(demo_anchor(calendar, clock.today()), calendar)
    clerk = s.user("jn_window")
    with s.at(2, "10:05"):
        helped = assisted.assisted_start(
            actor=clerk, person=zhangsan, implementation_version=s.versions[SIGN.basic_code]
        )
        assisted.assisted_save(actor=clerk, assisted=helped, form_data=FORM, delivery_method="pickup")
        for key, name in SIGN_MATERIALS.items():
            assisted.assisted_upload(actor=clerk, assisted=helped, material_key=key, upload=_upload(name, key))
    reference = f"assisted:{helped.ref}"
    with s.at(2, "10:12"), _phone():
        assisted.assisted_code_send(actor=clerk, assisted=helped)
        sms = Message.objects.filter(reference=reference, channel="sms").values_list("pk", flat=True)
        messages_deliver_pending(ids=list(sms))  # at once (a pushing task backend already did)
    code = re.search(r"验证码 (\d{6})", DemoPhone.received[reference]).group(1)  # type: ignore[union-attr]
    with s.at(2, "10:13"):
        assisted.assisted_confirm(actor=clerk, assisted=helped, code=code)
    return 1


class DemoPhone:
    """张三's phone in the demo: the SMS channel while the demo's code goes out."""

    received: dict[str, str] = {}

    def send(self, message: Any) -> str | None:
        DemoPhone.received[message.reference] = message.body
        return None


@contextmanager
def _phone() -> Iterator[None]:
    channels = settings.NOTIFICATION_CHANNELS
    settings.NOTIFICATION_CHANNELS = {**channels, "sms": "yiwang.demo.assisted.DemoPhone"}
    try:
        yield
    finally:
        settings.NOTIFICATION_CHANNELS = channels
