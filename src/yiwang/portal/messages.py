"""我的消息 (the applicant's message centre) and 通知设置 (channel choice): the shared
notifications.centre pages, entered by applicants, linking to their own case pages."""

from yiwang.cases import selectors as cases
from yiwang.notifications.centre import MessageCentre
from yiwang.portal.apply import applicant_of

CENTRE = MessageCentre(
    namespace="portal",
    user_of=applicant_of,
    case_url_name="portal:my_case",
    visible=cases.case_numbers_visible_to,
    list_template="portal/messages.html",
    settings_template="portal/messages_settings.html",
)
