"""Materials are checked by content and size before they are stored (architecture rule 8)."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.cases import selectors, services
from yiwang.cases.models import CaseAccessLog, CaseMaterial
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import JPEG, PDF, PNG, ImplementationVersionFactory, ofd, plain_zip, user
from yiwang.cases.uploads import sniff
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def _upload(case, name: str, content: bytes, key: str = "application") -> CaseMaterial:  # type: ignore[no-untyped-def]
    return services.case_material_upload(
        actor=user("zhangsan"), case=case, material_key=key, upload=SimpleUploadedFile(name, content)
    )


@pytest.fixture
def draft(world: None):  # type: ignore[no-untyped-def]
    with flows.on(dt.date(2026, 3, 2)):
        yield flows.draft(ImplementationVersionFactory(), materials=())


def test_sniffing_by_magic_bytes() -> None:
    assert sniff(PDF) == "pdf"
    assert sniff(b"\xef\xbb\xbf junk " + PDF) == "pdf"  # leading junk within 1 KB is tolerated
    assert sniff(PNG) == "png"
    assert sniff(JPEG) == "jpeg"
    assert sniff(ofd()) == "ofd"
    assert sniff(plain_zip()) == "zip"
    assert sniff(b"PK\x03\x04 not really a zip") is None
    assert sniff("申请书".encode()) is None


@pytest.mark.parametrize(
    ("name", "content"), [("申请书.pdf", PDF), ("扫描.JPG", JPEG), ("扫描.png", PNG), ("证照.ofd", None)]
)
def test_accepted_kinds_are_stored_under_media_root_by_sha256(
    draft, settings, name: str, content: bytes | None
) -> None:  # type: ignore[no-untyped-def]
    content = content if content is not None else ofd()
    stored = _upload(draft, name, content)
    digest = hashlib.sha256(content).hexdigest()
    assert stored.sha256 == digest and stored.size == len(content)
    assert stored.storage_name.startswith(f"cases/{digest[:2]}/{digest}")
    assert (Path(settings.MEDIA_ROOT) / stored.storage_name).read_bytes() == content
    assert stored.original_name == name


def test_a_pdf_that_is_really_a_png_is_refused_naming_the_material(draft, settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as info:
        _upload(draft, "申请书.pdf", PNG)
    assert info.value.errors["file"] == [
        "材料“食品经营许可申请书”：文件“申请书.pdf”的扩展名是 .pdf，但内容实际是 PNG 图片，请上传真正的 PDF 文件。"
    ]
    assert not CaseMaterial.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "cases").exists()  # nothing stored


def test_a_text_file_named_pdf_is_refused(draft) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as info:
        _upload(draft, "布局图.pdf", "这是一段文字".encode(), key="layout")
    message = info.value.errors["file"][0]
    assert message.startswith(
        "材料“设备布局和工艺流程图”：文件“布局图.pdf”不是真正的 PDF 文件（无法识别为任何可接受的格式）"
    )


def test_other_formats_are_refused(draft) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as info:
        _upload(draft, "setup.exe", b"MZ\x90\x00")
    assert "格式（.exe）不被接受" in info.value.errors["file"][0]
    with pytest.raises(ValidationFailed) as info:
        _upload(draft, "伪装.ofd", plain_zip())
    assert "实际是普通 ZIP 压缩包" in info.value.errors["file"][0]
    with pytest.raises(ValidationFailed) as info:
        _upload(draft, "空.pdf", b"")
    assert "空文件" in info.value.errors["file"][0]


def test_size_limit(draft, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CASE_UPLOAD_MAX_BYTES = 1024
    _upload(draft, "小.pdf", PDF + b" " * (1024 - len(PDF)))
    with pytest.raises(ValidationFailed) as info:
        _upload(draft, "大.pdf", PDF + b" " * 1024)
    assert info.value.errors["file"] == [
        "材料“食品经营许可申请书”：文件“大.pdf”超过大小上限 1 KB，请压缩或分拆后再上传。"
    ]


def test_a_newer_upload_supersedes_the_older_one(draft) -> None:  # type: ignore[no-untyped-def]
    first = _upload(draft, "v1.pdf", PDF)
    second = _upload(draft, "v2.pdf", PDF + b"% v2\n")
    assert CaseMaterial.objects.get(pk=first.pk).superseded_at is not None
    assert CaseMaterial.objects.get(pk=second.pk).superseded_at is None


def test_shared_materials_are_not_asked_and_strangers_cannot_upload(draft) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as info:
        _upload(draft, "执照.pdf", PDF, key="business_license")
    assert "无需上传" in info.value.errors["material_key"][0]
    with pytest.raises(PermissionDenied):
        services.case_material_upload(
            actor=user("lisi"), case=draft, material_key="application", upload=SimpleUploadedFile("a.pdf", PDF)
        )


def test_opening_a_material_is_permission_checked_and_logged_for_staff(world: None) -> None:
    with flows.on(dt.date(2026, 3, 2)):
        case = flows.submit(ImplementationVersionFactory())
    material = CaseMaterial.objects.filter(case=case).first()
    assert material is not None
    _, handle = selectors.material_file_for(user("zhangsan"), material.pk)
    with handle:
        assert handle.read() == PDF
    with pytest.raises(NotFound):
        selectors.material_file_for(user("lisi"), material.pk)
    with pytest.raises(ValidationFailed):
        selectors.material_file_for(user("jn_window"), material.pk)
    _, handle = selectors.material_file_for(user("jn_window"), material.pk, reason="受理审查")
    handle.close()
    log = CaseAccessLog.objects.get(case=case)
    assert (log.user.username, log.reason, log.target) == ("jn_window", "受理审查", f"material:{material.pk}")


def test_a_copy_cut_short_by_a_full_disk_is_written_again(draft, settings) -> None:  # type: ignore[no-untyped-def]
    """A write that ran out of disk leaves the bytes written so far under the file's
    content-addressed name; the next upload of the same file must store it whole, not take
    the stump for it (found by tests/test_faults.py on a full tmpfs)."""
    digest = hashlib.sha256(PDF).hexdigest()
    stump = Path(settings.MEDIA_ROOT) / f"cases/{digest[:2]}/{digest}.pdf"
    stump.parent.mkdir(parents=True, exist_ok=True)
    stump.write_bytes(PDF[:10])
    stored = _upload(draft, "申请书.pdf", PDF)
    assert (Path(settings.MEDIA_ROOT) / stored.storage_name).read_bytes() == PDF
