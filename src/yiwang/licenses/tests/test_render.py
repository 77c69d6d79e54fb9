"""The license PDF as a holder and a verifier see it: text, embedded fonts, a QR that decodes."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from yiwang.licenses.document import LicenseDocument, LicenseDocumentError
from yiwang.licenses.render import qr_png, qr_svg, render_pdf, sample_document


def _doc(**changes: object) -> LicenseDocument:
    return dataclasses.replace(sample_document(), **changes)  # type: ignore[arg-type]


def _page_text(pdf: bytes) -> str:
    """The page's text without whitespace (extractors space CJK glyphs differently) and NULs
    (pypdf 7.1 reads fpdf2's two-byte Identity encoding as a NUL before each character)."""
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return re.sub(r"[\s\x00]+", "", text)


def _decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1, "exactly one QR code expected"
    return str(results[0].text)


def _page_images(pdf: bytes) -> list[bytes]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    out = []
    for image in page.images:
        buffer = io.BytesIO()
        image.image.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def test_pdf_carries_the_license_text():
    doc = _doc(valid_until=None)
    text = _page_text(render_pdf(doc))
    for expected in (
        "食品经营许可证",
        "样例市示范餐饮管理有限公司",
        "91110105MA00000000",
        "经营场所",
        "样例市朝阳区示范路1号一层101室",
        "热食类食品制售",
        "样例市市场监督管理局",
        "发证日期：2026年01月05日",
        "2026年01月05日至长期",
        "扫码核验",
        "https://yiwang.example/licenses/verify",
        doc.identifier,
    ):
        assert expected in text, expected
    assert "已撤销" not in text


def test_end_date_is_printed_when_the_license_expires():
    text = _page_text(render_pdf(_doc(valid_until=date(2031, 1, 4))))
    assert "2026年01月05日至2031年01月04日" in text
    assert "长期" not in text


PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils' pdftotext is not installed (pypdf tests still run)")
def test_pdftotext_reads_the_chinese_text():
    assert PDFTOTEXT is not None
    result = subprocess.run([PDFTOTEXT, "-", "-"], input=render_pdf(_doc()), capture_output=True, check=True)  # noqa: S603
    text = re.sub(r"\s+", "", result.stdout.decode("utf-8"))
    assert "食品经营许可证" in text and "持证主体" in text and "有效期限" in text


def test_every_font_is_embedded():
    reader = PdfReader(io.BytesIO(render_pdf(_doc())))
    fonts = list(reader.pages[0]["/Resources"]["/Font"].values())
    assert fonts
    for ref in fonts:
        font = ref.get_object()
        descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
        for descendant in descendants:
            descriptor = descendant["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font["/BaseFont"]


def test_qr_in_the_pdf_decodes_to_the_signed_note():
    doc = _doc()
    images = _page_images(render_pdf(doc))
    assert len(images) == 1
    assert _decode(images[0]) == doc.qr_text


def test_qr_png_and_svg_carry_the_whole_note():
    note = sample_document().qr_text
    assert _decode(qr_png(note)) == note
    svg = qr_svg(note)
    assert svg.startswith("<svg") and "viewBox" in svg and "width=" not in svg.split(">")[0]


def test_one_changed_character_changes_the_qr():
    note = sample_document().qr_text
    changed = note.replace("2031-01-04", "2032-01-04")
    assert _decode(qr_png(changed)) == changed != note


def test_status_label_prints_a_watermark():
    assert "已撤销" in _page_text(render_pdf(_doc(status_label="已撤销")))


def test_long_value_is_cut_with_an_ellipsis_and_stays_on_one_page():
    long_value = "预包装食品销售（含冷藏冷冻食品）；" * 110
    pdf = render_pdf(_doc(fields=(("经营项目", long_value),)))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = _page_text(pdf)
    assert "…" in text
    assert "发证机关" in text and "扫码核验" in text  # the bottom of the page is still drawn
    assert text.count("预包装食品销售") < 110


def test_many_long_fields_still_fit_the_page():
    fields = tuple((f"事项{i}", "经营项目说明" * 60) for i in range(10))
    text = _page_text(render_pdf(_doc(fields=fields)))
    assert "事项9" in text and "有效期限" in text


def test_character_outside_the_font_prints_a_box():
    text = _page_text(render_pdf(_doc(holder_name="王喆𠀀商行")))
    assert "王□□商行" in text


def test_document_bounds_name_the_field():
    with pytest.raises(LicenseDocumentError) as error:
        _doc(fields=(("经营场所", " "),))
    assert error.value.field == "fields[0].value"
    with pytest.raises(LicenseDocumentError) as error:
        _doc(valid_until=date(2025, 1, 1))
    assert error.value.field == "valid_until"
    with pytest.raises(LicenseDocumentError) as error:
        _doc(fields=tuple((f"事项{i}", "x") for i in range(11)))
    assert error.value.field == "fields"
