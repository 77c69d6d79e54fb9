"""我的消息 (the applicant's message centre) and 通知设置 (channel choice): the shared
notifications.centre pages, entered by applicants, linking to their own case pages (and to
the e-license an approval issued, in 我的证照)."""

from yiwang.cases import case_links
from yiwang.licenses import selectors as licenses
from yiwang.notifications.centre import MessageCentre
from yiwang.portal.apply import applicant_of

CENTRE = MessageCentre(
    namespace="portal",
    user_of=applicant_of,
    case_url_name="portal:my_case",
    visible=case_links.case_numbers_visible_to,
    list_template="portal/messages.html",
    settings_template="portal/messages_settings.html",
    license_url_name="portal:license",
    license_visible=licenses.identifiers_held_by,
)
