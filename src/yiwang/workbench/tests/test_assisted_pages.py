"""帮办代办 through the workbench pages: jn_window finds 张三, picks the item, fills the form and
scans a paper, sends the code; the code from the SMS submits the application in 张三's name,
and 张三 sees it in 我的办件 with "帮办"."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.cases.models import AssistedApplication
from yiwang.cases.tests.factories import PDF, PNG, ImplementationVersionFactory, user
from yiwang.cases.tests.flows import code_sent, phone  # noqa: F401 - phone: the fixture
from yiwang.core import clock
from yiwang.notifications.models import Message
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("phone")]

DAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _pages(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with clock.frozen(DAY):
        yield


FORM = {"f-shop_name": "泉城小馆", "f-area": "80", "f-has_kitchen": "true"}


def test_a_clerk_applies_for_a_person_who_confirms_with_the_sms_code(login_as: Any) -> None:
    version = ImplementationVersionFactory()
    clerk = login_as("jn_window")
    home = clerk.get("/workbench/").content.decode()
    assert "帮办代办" in home
    page = clerk.get("/workbench/assisted/new/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    number = user("zhangsan").person.id_number
    found = clerk.post("/workbench/assisted/new/", {"real_name": "张三", "id_number": number, "action": "find"})
    html = found.content.decode()
    assert found.status_code == 200 and "已找到申请人" in html
    assert number not in html.replace(f'value="{number}"', "")  # shown masked (kept only in the input)
    assert_sound_html(html)
    started = clerk.post(
        "/workbench/assisted/new/",
        {"real_name": "张三", "id_number": number, "action": "start", "version": str(version.pk)},
    )
    assert started.status_code == 302
    fill_url = started["Location"]
    assisted = AssistedApplication.objects.get()
    assert fill_url == f"/workbench/assisted/{assisted.ref}/"
    page = clerk.get(fill_url)
    assert "no-store" in page["Cache-Control"]
    assert_sound_html(page.content.decode())
    # A bad file is refused next to its material; what was typed is kept.
    bad = clerk.post(
        fill_url, {**FORM, "action": "save", "m-application": SimpleUploadedFile("申请书.pdf", PNG, "application/pdf")}
    )
    assert bad.status_code == 422 and "泉城小馆" in bad.content.decode()
    assisted.case.refresh_from_db()
    assert assisted.case.form_data["shop_name"] == "泉城小馆"
    files = {f"m-{k}": SimpleUploadedFile(f"{k}.pdf", PDF, "application/pdf") for k in ("application", "layout")}
    sent = clerk.post(fill_url, {**FORM, "action": "send", **files})
    assert sent.status_code == 302 and sent["Location"].endswith("/confirm/")
    confirm = clerk.get(sent["Location"])
    assert "139****0001" in confirm.content.decode()
    assert_sound_html(confirm.content.decode())
    wrong = clerk.post(sent["Location"], {"code": "12345x", "action": "confirm"})
    assert wrong.status_code == 422 and "验证码：不正确" in wrong.content.decode()
    assert Message.objects.filter(reference=f"assisted:{assisted.ref}", channel="sms").exists()
    code = code_sent(f"assisted:{assisted.ref}")
    done = clerk.post(sent["Location"], {"code": code, "action": "confirm"})
    assert done.status_code == 302
    receipt = clerk.get(done["Location"]).content.decode()
    assisted.case.refresh_from_db()
    assert assisted.case.number in receipt and "由窗口工作人员 赵敏 帮办" in receipt
    # The person follows it like any other case.
    person = login_as("zhangsan")
    mine = person.get("/me/cases/").content.decode()
    assert assisted.case.number in mine and "由窗口工作人员 赵敏 帮办" in mine
    detail = person.get(f"/me/cases/{assisted.case.number}/").content.decode()
    assert "帮办" in detail


def test_only_the_staff_the_policy_lets_help_get_the_pages(login_as: Any) -> None:
    reviewer = login_as("jn_reviewer")
    assert "帮办代办" not in reviewer.get("/workbench/").content.decode()
    assert reviewer.get("/workbench/assisted/").status_code == 403
    assert login_as("zhangsan").get("/workbench/assisted/new/").status_code == 403


def test_going_back_to_edit_after_the_code_was_sent_opens_the_form_and_saving_voids_the_code(login_as: Any) -> None:
    """The confirmation page's 返回修改 leads to the form (it used to bounce back to the
    confirmation page); a save there voids the code, so the person confirms the new content."""
    version = ImplementationVersionFactory()
    clerk = login_as("jn_window")
    number = user("zhangsan").person.id_number
    started = clerk.post(
        "/workbench/assisted/new/",
        {"real_name": "张三", "id_number": number, "action": "start", "version": str(version.pk)},
    )
    fill_url = started["Location"]
    files = {f"m-{k}": SimpleUploadedFile(f"{k}.pdf", PDF, "application/pdf") for k in ("application", "layout")}
    sent = clerk.post(fill_url, {**FORM, "action": "send", **files})
    assert sent["Location"].endswith("/confirm/")
    assert f'href="{fill_url}"' in clerk.get(sent["Location"]).content.decode()
    back = clerk.get(fill_url)
    html = back.content.decode()
    assert back.status_code == 200 and "泉城小馆" in html and "验证码即作废" in html
    assert "no-store" in back["Cache-Control"]
    assert_sound_html(html)
    code = code_sent(Message.objects.get(reference__startswith="assisted:", channel="sms").reference)
    saved = clerk.post(fill_url, {**FORM, "f-shop_name": "泉城大馆", "action": "save"})
    assert saved.status_code == 302 and saved["Location"] == fill_url
    assisted = AssistedApplication.objects.get()
    assert assisted.status == "drafting" and assisted.case.form_data["shop_name"] == "泉城大馆"
    old_code = clerk.post(f"{fill_url}confirm/", {"code": code, "action": "confirm"})
    assert old_code.status_code == 302 and old_code["Location"] == fill_url  # nothing to confirm any more
    assisted.refresh_from_db()
    assert assisted.status == "drafting" and assisted.confirmed_at is None


def test_an_item_past_the_listed_ones_is_found_by_name_and_can_be_started(login_as: Any, monkeypatch: Any) -> None:
    """新建帮办 lists the first HELP_LIST_LIMIT items (100); a 帮办员 of a big region has more.
    The rest are found by name, and starting one is not refused for being off the first page."""
    from yiwang.cases import assisted_selectors

    monkeypatch.setattr(assisted_selectors, "HELP_LIST_LIMIT", 1)
    ImplementationVersionFactory(item_version__name="Alpha 许可")
    later = ImplementationVersionFactory(item_version__name="Beta 许可")
    clerk = login_as("jn_window")
    person = {"real_name": "张三", "id_number": user("zhangsan").person.id_number}
    listed = clerk.post("/workbench/assisted/new/", {**person, "action": "find"}).content.decode()
    assert "Alpha 许可" in listed and "Beta 许可" not in listed and "只列出前 1 项" in listed
    assert_sound_html(listed)
    filtered = clerk.post("/workbench/assisted/new/", {**person, "action": "find", "q": "Beta"}).content.decode()
    assert "Beta 许可" in filtered and "Alpha 许可" not in filtered
    started = clerk.post(
        "/workbench/assisted/new/", {**person, "action": "start", "version": str(later.pk), "q": "Beta"}
    )
    assert started.status_code == 302
    assert AssistedApplication.objects.get().case.implementation_version_id == later.pk
    refused = clerk.post("/workbench/assisted/new/", {**person, "action": "start", "version": "99999999"})
    assert refused.status_code == 422 and "请从列表中选择您可帮办的事项" in refused.content.decode()


def test_the_clerk_sees_that_the_person_submitted_the_draft_themselves(login_as: Any) -> None:
    from yiwang.cases.services import assisted as services
    from yiwang.cases.services import case_submit
    from yiwang.cases.tests import flows
    from yiwang.cases.tests.factories import GOOD_DATA

    version = ImplementationVersionFactory()
    clerk = login_as("jn_window")
    assisted = services.assisted_start(actor=user("jn_window"), person=user("zhangsan"), implementation_version=version)
    services.assisted_save(actor=user("jn_window"), assisted=assisted, form_data=GOOD_DATA)
    for key in ("application", "layout"):
        services.assisted_upload(actor=user("jn_window"), assisted=assisted, material_key=key, upload=flows.pdf())
    case = case_submit(actor=user("zhangsan"), idempotency_key="own", draft=assisted.case)
    listing = clerk.get("/workbench/assisted/").content.decode()
    assert "暂无进行中的帮办申请" in listing and "本人已自行提交" in listing and case.number in listing
    assert_sound_html(listing)
    done = clerk.get(f"/workbench/assisted/{assisted.ref}/confirm/")
    assert done.status_code == 302 and done["Location"].endswith("/done/")
    page = clerk.get(done["Location"]).content.decode()
    assert "申请人已自行提交" in page and case.number in page
