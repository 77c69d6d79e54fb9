"""在线申请 through the pages: the form built from the schema, drafts, uploads, bad input
that keeps what was entered, submission with its receipt, and double submission."""

import datetime as dt
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.catalog import selectors as catalog
from yiwang.catalog.models import ImplementationVersion, ServiceItem
from yiwang.core import clock

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 4, 1, 9, 0)  # a Wednesday; 清明 (4/4–4/6) falls inside the limits
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 3 3]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def pdf(name: str = "申请书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "布局图.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


FOOD_FORM: dict[str, Any] = {
    "applicant_as": "self",
    "f-business_name": "泉城小馆",
    "f-address": "济南市历下区泉城路188号",
    "f-business_items": ["hot_food", "drinks"],
    "f-principal_id": "11010519491231002X",
    "delivery_method": "electronic",
}


@pytest.fixture(autouse=True)
def _pages(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Fast passwords, private media per test, and a fixed day (the demo catalog is
    published on it, so the versions are in force)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with clock.frozen(DAY):
        yield


def version_of(item_name: str) -> ImplementationVersion:
    item = ServiceItem.objects.get(versions__name=item_name, versions__status="published")
    implementation = item.implementations.get()
    version = catalog.implementation_version_in_force(implementation)
    assert version is not None
    return version


def apply_url(item_name: str) -> str:
    return f"/apply/{version_of(item_name).pk}/"


def key_of(html: str) -> str:
    marker = 'name="idempotency_key" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def food_post(client: Client, *, action: str = "submit", files: bool = True, **overrides: Any) -> Any:
    """Open the food-licence form and post it (with the three required files)."""
    url = apply_url("食品经营许可")
    key = key_of(client.get(url).content.decode())
    data: dict[str, Any] = {**FOOD_FORM, "idempotency_key": key, "action": action, **overrides}
    if files:
        data.update({"m-application": pdf(), "m-layout": png(), "m-rules": pdf("制度目录.pdf")})
    return client.post(url, data)


def submitted_food_case(client: Client) -> Case:
    response = food_post(client)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Case.objects.exclude(number=None).get()


def drafts_of(username: str) -> list[Case]:
    return list(Case.objects.filter(applicant__username=username, status="draft"))


# --- the form ----------------------------------------------------------------------------


def test_the_form_is_generated_from_the_schema_and_the_materials(login_as: Any) -> None:
    response = login_as("zhangsan").get(apply_url("食品经营许可"))
    html = response.content.decode()
    assert response.status_code == 200
    # fields: labels, required marks, options, help, the controls named after the schema
    assert (
        '<label class="field__label" for="f-business_name">经营者名称 <span class="field__required">（必填）</span>'
        in html
    )
    assert 'name="f-business_items" value="hot_food"' in html and "热食类食品制售" in html
    assert "18 位居民身份证号码，末位可为 X" in html and 'aria-describedby="f-principal_id-help"' in html
    assert "<legend" in html and "（可多选）" in html
    # materials: one file input per material asked of the applicant; the 营业执照 comes by data
    # sharing (the department has no grant in this world: it obtains it itself), never asked
    assert 'name="m-application"' in html and 'name="m-layout"' in html
    assert 'name="m-business_license"' not in html
    # 户外广告设置许可 takes it from the platform's e-licenses: zhangsan holds none, so he is
    # told and asked to upload it
    sign = login_as("zhangsan").get(apply_url("户外广告设置许可")).content.decode()
    assert "未找到您有效的营业执照电子证照，请上传“营业执照”" in sign and 'name="m-business_license"' in sign
    assert "PDF 文件、JPEG 图片、PNG 图片、OFD 版式文件" in html and "20 MB" in html
    assert 'accept=".pdf,.jpg,.jpeg,.png,.ofd"' in html
    # the conditional material follows its field progressively (apply.js), and says when it is needed
    assert 'data-show-when="f-by_agent"' in html and "委托代理人办理的需要提交" in html
    # the page's own controls
    assert "csrfmiddlewaretoken" in html and 'name="idempotency_key"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "告知承诺" not in html  # the food licence does not allow it
    assert "本人（张*）" in html


def test_conditional_fields_are_marked_for_progressive_display() -> None:
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from yiwang.catalog.formschema import FormSchema
    from yiwang.portal import forms

    schema = FormSchema.model_validate(
        {
            "fields": [
                {"name": "kind", "label": "经营类型", "type": "choice", "required": True,
                 "options": [{"value": "shop", "label": "门店"}, {"value": "other", "label": "其他"}]},
                {"name": "kind_other", "label": "其他类型", "type": "text", "required": True,
                 "condition": {"field": "kind", "equals": ["other"]}},
                {"name": "rented", "label": "场所为租赁", "type": "boolean"},
                {"name": "lease_end", "label": "租期届满日", "type": "date",
                 "condition": {"field": "rented", "equals": [True]}},
                {"name": "items", "label": "项目", "type": "multichoice",
                 "options": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]},
            ]
        }
    )  # fmt: skip
    posted = QueryDict(mutable=True)
    posted.update({"f-kind": "other", "f-kind_other": "流动摊点", "f-rented": "true", "f-lease_end": "2026-13-01"})
    posted.setlist("f-items", ["a", "b"])
    data = forms.form_data_from(schema, posted)
    assert data == {
        "kind": "other",
        "kind_other": "流动摊点",
        "rented": True,
        "lease_end": "2026-13-01",
        "items": ["a", "b"],
    }
    views = {v.name: v for v in forms.field_views(schema, data, {"lease_end": ["租期届满日：应为日期"]})}
    other = render_to_string("portal/apply_field.html", {"f": views["kind_other"]})
    assert 'data-show-when="f-kind" data-show-values="[&quot;other&quot;]"' in other
    assert "“经营类型”选择“其他”时填写" in other and 'value="流动摊点"' in other
    lease = render_to_string("portal/apply_field.html", {"f": views["lease_end"]})
    assert 'data-show-values="[&quot;true&quot;]"' in lease and "勾选“场所为租赁”时填写" in lease
    assert 'aria-invalid="true"' in lease and 'id="f-lease_end-error"' in lease and 'value="2026-13-01"' in lease
    assert 'type="date"' in lease
    kinds = render_to_string("portal/apply_field.html", {"f": views["kind"]})
    assert 'type="radio"' in kinds and 'value="other" checked' in kinds and "<legend" in kinds
    assert views["items"].values == ["a", "b"] and views["rented"].checked


def test_applicants_only_and_login_required(world: None, login_as: Any) -> None:
    url = apply_url("食品经营许可")
    assert Client().get(url).status_code == 302  # to the login page
    staff = login_as("jn_window").get(url)
    assert staff.status_code == 403


def test_an_outdated_version_sends_to_the_one_in_force(login_as: Any) -> None:
    current = version_of("食品经营许可")
    older = ImplementationVersion.objects.filter(implementation=current.implementation).exclude(pk=current.pk).get()
    response = login_as("zhangsan").get(f"/apply/{older.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/apply/{current.pk}/"


# --- drafts ------------------------------------------------------------------------------


def test_save_a_draft_and_come_back_to_it(login_as: Any) -> None:
    client = login_as("zhangsan")
    response = food_post(client, action="save", files=False, **{"f-principal_id": "", "m-application": pdf()})
    assert response.status_code == 302
    draft = drafts_of("zhangsan")[0]
    assert response["Location"] == f"/apply/drafts/{draft.ref}/"
    listing = client.get("/me/drafts/").content.decode()
    assert "食品经营许可" in listing and f"/apply/drafts/{draft.ref}/" in listing
    page = client.get(response["Location"]).content.decode()
    assert 'value="泉城小馆"' in page and 'value="hot_food" checked' in page
    assert "申请书.pdf" in page and "重新选择文件以替换" in page  # the stored file stays listed
    # finish it later: the missing field and files, then submit from the draft's page
    key = key_of(page)
    done = client.post(
        response["Location"],
        {
            **FOOD_FORM,
            "idempotency_key": key,
            "action": "submit",
            "m-layout": png(),
            "m-rules": pdf("制度.pdf"),
        },
    )
    case = Case.objects.get(pk=draft.pk)
    assert done.status_code == 302 and case.number and done["Location"] == f"/me/cases/{case.number}/receipt/"
    assert drafts_of("zhangsan") == []


def test_discard_a_draft(login_as: Any) -> None:
    client = login_as("zhangsan")
    food_post(client, action="save", files=False)
    draft = drafts_of("zhangsan")[0]
    response = client.post(f"/apply/drafts/{draft.ref}/discard/")
    assert response.status_code == 302 and drafts_of("zhangsan") == []
    assert "没有草稿" in client.get("/me/drafts/").content.decode()


def test_drafts_are_private(login_as: Any) -> None:
    food_post(login_as("zhangsan"), action="save", files=False)
    draft = drafts_of("zhangsan")[0]
    assert login_as("lisi").get(f"/apply/drafts/{draft.ref}/").status_code == 404


# --- bad input ---------------------------------------------------------------------------


def test_bad_input_is_shown_next_to_its_field_and_nothing_is_lost(login_as: Any) -> None:
    client = login_as("zhangsan")
    fake_png = SimpleUploadedFile("布局图.png", b"this is not a picture", content_type="image/png")
    response = food_post(
        client,
        files=False,
        **{"f-principal_id": "110105194912310021", "f-address": "", "m-application": pdf(), "m-layout": fake_png},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert Case.objects.exclude(number=None).count() == 0  # nothing submitted
    # the summary (focused by apply.js) links to each field
    assert 'role="alert"' in html and "data-error-summary" in html
    assert '<a href="#f-principal_id">负责人身份证号' in html and '<a href="#f-address">经营场所：必填</a>' in html
    # each message next to its field, the field marked invalid and described by it
    assert 'id="f-principal_id-error"' in html and "校验" in html.split('id="f-principal_id-error"')[1][:200]
    assert 'aria-describedby="f-principal_id-help f-principal_id-error" aria-invalid="true"' in html
    assert 'id="m-layout-error"' in html and "不是真正的 PNG 图片" in html and "该文件未保存，请重新选择" in html
    # what was typed is still there, and the good file is stored and listed
    assert 'value="泉城小馆"' in html and 'value="110105194912310021"' in html
    assert 'value="hot_food" checked' in html and 'value="drinks" checked' in html
    assert "申请书.pdf" in html and "已上传" in html
    # and the page now posts to the draft it saved, so nothing is typed twice
    draft = drafts_of("zhangsan")[0]
    assert f'action="/apply/drafts/{draft.ref}/"' in html
    assert draft.form_data["business_name"] == "泉城小馆"


def test_missing_materials_and_mail_without_address(login_as: Any) -> None:
    client = login_as("zhangsan")
    response = food_post(client, files=False, delivery_method="mail", delivery_address="  ")
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="m-application-error"' in html and "材料“食品经营许可申请书”：必须上传" in html
    assert 'id="delivery_address-error"' in html and "邮寄地址：选择邮寄送达时必填" in html
    assert 'id="delivery-mail" name="delivery_method" value="mail" checked' in html


# --- submission --------------------------------------------------------------------------


def test_submit_gives_a_receipt_with_the_ledger_positions(login_as: Any) -> None:
    client = login_as("zhangsan")
    response = food_post(client)
    case = Case.objects.exclude(number=None).get()
    assert response.status_code == 302 and response["Location"] == f"/me/cases/{case.number}/receipt/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert case.number in html and "食品经营许可" in html and "济南市行政审批服务局" in html
    assert "2026-04-01" in html  # received
    assert "前受理或一次性告知需要补正的全部材料" in html  # the acceptance window, explained
    assert "尚未受理，自受理之日起计算办理时限" in html
    assert "申请书.pdf" in html and "布局图.png" in html
    entry = case.events.get(verb="submit").ledger_entry_id
    assert f'href="/ledger/entries/{entry}/"' in html and "提交申请" in html
    assert client.get(f"/ledger/entries/{entry}/").status_code == 200
    assert "data-print" in html


def test_a_double_click_creates_one_case(login_as: Any) -> None:
    client = login_as("zhangsan")
    url = apply_url("食品经营许可")
    key = key_of(client.get(url).content.decode())

    def post() -> Any:
        data = {**FOOD_FORM, "idempotency_key": key, "action": "submit"}
        data.update({"m-application": pdf(), "m-layout": png(), "m-rules": pdf("制度.pdf")})
        return client.post(url, data)

    first, second = post(), post()
    case = Case.objects.exclude(number=None).get()
    assert first["Location"] == second["Location"] == f"/me/cases/{case.number}/receipt/"
    assert drafts_of("zhangsan") == [] and Case.objects.count() == 1


def test_two_requests_racing_from_a_blank_form_still_make_one_case(login_as: Any) -> None:
    """The second request did not see the first one's session (they ran at the same time):
    it started its own draft, then found the key used and gave its duplicate up."""

    def files() -> dict[str, Any]:
        return {
            "m-application": pdf(),
            "m-layout": png(),
            "m-rules": pdf("制度.pdf"),
        }

    first_tab = login_as("zhangsan")
    url = apply_url("食品经营许可")
    key = key_of(first_tab.get(url).content.decode())
    data = {**FOOD_FORM, "idempotency_key": key, "action": "submit"}
    first_tab.post(url, {**data, **files()})
    racing = login_as("zhangsan")  # a session without the first request's memory
    response = racing.post(url, {**data, **files()})
    case = Case.objects.exclude(number=None).get()
    assert response.status_code == 302 and response["Location"] == f"/me/cases/{case.number}/receipt/"
    assert drafts_of("zhangsan") == []


def test_an_agent_applies_for_the_enterprise(login_as: Any) -> None:
    from yiwang.demo.world import ENTERPRISE

    client = login_as("lisi")
    html = client.get(apply_url("食品经营许可")).content.decode()
    assert ENTERPRISE["name"] in html and "授权经办人" in html
    enterprise_id = User.objects.get(username="lisi").person.agencies.get().enterprise_id
    response = food_post(client, applicant_as=str(enterprise_id))
    case = Case.objects.exclude(number=None).get()
    assert response.status_code == 302 and case.enterprise_id == enterprise_id
    receipt = client.get(response["Location"]).content.decode()
    assert ENTERPRISE["name"] in receipt
    # an enterprise one does not act for is refused, with the message at the choice
    other = login_as("zhangsan")
    refused = food_post(other, applicant_as=str(enterprise_id))
    assert refused.status_code == 422 and 'id="applicant_as-error"' in refused.content.decode()


def test_commitment_based_approval_is_signed_on_the_form(login_as: Any) -> None:
    client = login_as("zhangsan")
    url = apply_url("公共场所卫生许可")
    html = client.get(url).content.decode()
    assert "告知承诺" in html and "如有虚假承诺，愿承担撤销许可等法律责任" in html
    assert 'name="commitment_signed" value="true"' in html
    form = {
        "applicant_as": "self",
        "f-venue_name": "泉城浴池",
        "f-address": "济南市历下区泉城路1号",
        "f-venue_type": "bath",
        "f-area": "120",
        "idempotency_key": key_of(html),
        "action": "submit",
        "m-application": pdf(),
        "m-layout": png(),
        "m-rules": pdf("制度.pdf"),
    }
    without = client.post(url, form)  # the test report is missing
    assert without.status_code == 422
    assert "材料“公共场所卫生检测或者评价报告”：必须上传" in without.content.decode()
    draft = drafts_of("zhangsan")[0]
    form.update({"m-application": pdf(), "m-layout": png(), "m-rules": pdf("制度.pdf")})  # chosen again
    signed = client.post(f"/apply/drafts/{draft.ref}/", {**form, "commitment_signed": "true"})
    case = Case.objects.get(pk=draft.pk)
    assert signed.status_code == 302 and case.commitment_signed_at is not None
    assert case.decision == "approved"  # decided on the spot, to be checked afterwards
