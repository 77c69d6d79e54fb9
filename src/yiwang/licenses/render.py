"""Render an e-license as an A4 PDF (fpdf2, shipped CJK font embedded) and its QR code (segno).

Django-free: the input is a LicenseDocument; the output is bytes. The font is the GB 2312
subset of Noto Serif CJK SC built by scripts/build-license-font; a character outside it is
printed as "□" (never dropped silently, never a crash). The seal is drawn as vector
graphics: a red ring, a star, the issuer's name along the ring and "平台电子证照专用章",
the platform's own mark, not an authority's physical seal.

`python -m yiwang.licenses.render --sample out.pdf` writes a sample (样例) document.
"""

from __future__ import annotations

import argparse
import io
import math
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import cast

import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, TextMode

from yiwang.licenses.document import LicenseDocument, LicenseDocumentError, chinese_date

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NotoSerifSC-License.otf"
FONT = "licserif"
MISSING = "□"
PT = 25.4 / 72  # one point in mm

PAGE_W, PAGE_H = 210.0, 297.0
TABLE_X, TABLE_W, LABEL_W = 22.0, 166.0, 40.0
TABLE_TOP, TABLE_BOTTOM = 62.0, 198.0
BODY_PT, LINE_H, CELL_PAD, ROW_PAD = 11.0, 6.0, 2.0, 3.5
QR_X, QR_Y, QR_SIZE = 146.0, 200.0, 42.0
SEAL_R = 20.0

INK = (25, 25, 25)
RED = (200, 16, 16)
FRAME = (150, 28, 28)


@cache
def _font_codepoints() -> frozenset[int]:
    font = TTFont(FONT_PATH, lazy=True)
    return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """The text with every character the embedded font lacks replaced by "□"."""
    known = _font_codepoints()
    return "".join(c if ord(c) in known or c in "\n\t" else MISSING for c in text)


def qr_code(text: str) -> segno.QRCode:
    """The QR of the whole signed note: byte mode (UTF-8), error correction M, no boost."""
    return segno.make_qr(text, error="m", boost_error=False)


def qr_png(text: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_code(text).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(text: str) -> str:
    """An SVG sized by its viewBox only (CSS sets the size), no XML declaration."""
    buffer = io.BytesIO()
    qr_code(text).save(buffer, kind="svg", border=4, xmldecl=False, omitsize=True, nl=False)
    return buffer.getvalue().decode("utf-8")


class _Page:
    """One A4 license page being drawn; all sizes in mm."""

    def __init__(self, doc: LicenseDocument) -> None:
        self.doc = doc
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.add_font(FONT, "", str(FONT_PATH))
        pdf.set_title(printable(f"{doc.type_name} {doc.license_number}"))
        pdf.set_creator("yiwang")
        pdf.set_creation_date(datetime.combine(doc.issued_on, datetime.min.time(), tzinfo=UTC))
        pdf.add_page()
        pdf.set_text_color(*INK)
        self.pdf = pdf

    def font(self, size_pt: float) -> None:
        self.pdf.set_font(FONT, size=size_pt)

    def width(self, text: str, size_pt: float) -> float:
        self.font(size_pt)
        return float(self.pdf.get_string_width(text))

    def fit(self, text: str, max_w: float, size_pt: float, min_pt: float) -> float:
        """The largest size from size_pt down to min_pt at which text fits max_w."""
        while size_pt > min_pt and self.width(text, size_pt) > max_w:
            size_pt -= 0.5
        return size_pt

    def ellipsize(self, text: str, max_w: float, size_pt: float) -> str:
        if self.width(text, size_pt) <= max_w:
            return text
        while text and self.width(text + "…", size_pt) > max_w:
            text = text[:-1]
        return text + "…"

    def text(self, x: float, y: float, text: str, size_pt: float, *, align: str = "L") -> None:
        """Text with its baseline at y; align L (x = left), C (x = centre), R (x = right)."""
        w = self.width(text, size_pt)
        left = {"L": x, "C": x - w / 2, "R": x - w}[align]
        self.pdf.text(left, y, text)

    def wrap(self, text: str, w: float, size_pt: float) -> list[str]:
        self.font(size_pt)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            wrapped = self.pdf.multi_cell(w, LINE_H, paragraph, dry_run=True, output=MethodReturnValue.LINES)
            lines += cast(list[str], wrapped)
        return [line.rstrip() for line in lines] or [""]

    # --- the parts of the page ---

    def frame(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*FRAME)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
        pdf.set_line_width(0.3)
        pdf.rect(13, 13, PAGE_W - 26, PAGE_H - 26)

    def heading(self) -> None:
        pdf, doc = self.pdf, self.doc
        title = printable(doc.type_name)
        size = self.fit(title, TABLE_W, 30, 16)
        spacing = max(0.0, min(6.0, (TABLE_W - self.width(title, size)) / max(len(title), 1) * 0.5))
        with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.25, draw_color=INK):
            pdf.set_char_spacing(spacing * 72 / 25.4)
            self.text(PAGE_W / 2 + spacing / 2, 40, title, size, align="C")
            pdf.set_char_spacing(0)
        number = printable(f"编号：{doc.license_number}")
        self.text(TABLE_X + TABLE_W, 55, self.ellipsize(number, TABLE_W, 11), 11, align="R")

    def rows(self) -> list[tuple[str, str]]:
        doc = self.doc
        return [
            ("持证主体", doc.holder_name),
            ("统一社会信用代码（身份证件号码）", doc.holder_code),
            *doc.fields,
            ("有效期限", doc.validity_text),
        ]

    def table(self) -> None:
        pdf = self.pdf
        value_w = TABLE_W - LABEL_W - 2 * CELL_PAD
        label_w = LABEL_W - 2 * CELL_PAD
        cells = [
            (self.wrap(printable(label), label_w, BODY_PT), self.wrap(printable(value), value_w, BODY_PT))
            for label, value in self.rows()
        ]
        limits = [max(len(label), len(value)) for label, value in cells]
        available = int((TABLE_BOTTOM - TABLE_TOP - ROW_PAD * len(cells)) // LINE_H)
        while sum(limits) > available:
            longest = max(range(len(limits)), key=limits.__getitem__)
            if limits[longest] == 1:
                raise LicenseDocumentError("fields", "事项过多，一页放不下")
            limits[longest] -= 1
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.35)
        y = TABLE_TOP
        for (label, value), limit in zip(cells, limits, strict=True):
            height = limit * LINE_H + ROW_PAD
            pdf.rect(TABLE_X, y, LABEL_W, height)
            pdf.rect(TABLE_X + LABEL_W, y, TABLE_W - LABEL_W, height)
            self.cell_lines(TABLE_X + CELL_PAD, y, self.cut(label, limit, label_w), label_w, height, align="C")
            self.cell_lines(TABLE_X + LABEL_W + CELL_PAD, y, self.cut(value, limit, value_w), value_w, height)
            y += height

    def cut(self, lines: list[str], limit: int, w: float) -> list[str]:
        if len(lines) <= limit:
            return lines
        return [*lines[: limit - 1], self.ellipsize(lines[limit - 1] + "…", w, BODY_PT)]

    def cell_lines(self, x: float, top: float, lines: list[str], w: float, height: float, *, align: str = "L") -> None:
        first_baseline = top + (height - len(lines) * LINE_H) / 2 + LINE_H * 0.72
        for index, line in enumerate(lines):
            anchor = x + w / 2 if align == "C" else x
            self.text(anchor, first_baseline + index * LINE_H, line, BODY_PT, align=align)

    def issuer(self) -> None:
        doc = self.doc
        left, max_w = TABLE_X + 4, QR_X - TABLE_X - 10
        issuer = printable(f"发证机关：{doc.issuer_name}")
        size = self.fit(issuer, max_w, 13, 9)
        self.text(left, 222, self.ellipsize(issuer, max_w, size), size)
        self.text(left, 234, f"发证日期：{chinese_date(doc.issued_on)}", 13)
        self.seal(left + 62, 224)

    def seal(self, cx: float, cy: float) -> None:
        """The platform's round red seal: ring, star, issuer name along the ring."""
        pdf = self.pdf
        name = printable(self.doc.issuer_name)[:20]
        with pdf.local_context(fill_opacity=0.85, stroke_opacity=0.85, draw_color=RED, fill_color=RED, text_color=RED):
            pdf.set_line_width(1.1)
            pdf.circle(cx, cy, SEAL_R)
            pdf.set_line_width(0.3)
            pdf.circle(cx, cy, SEAL_R - 1.6)
            pdf.star(cx, cy, 2.6, 6.6, corners=5, rotate_degrees=180, style="F")
            ring_r = SEAL_R - 5.6
            span = min(250.0, 22.0 * len(name))
            size_mm = min(4.8, math.radians(span) * ring_r / max(len(name), 1) * 0.85)
            step = span / len(name)
            for index, char in enumerate(name):
                theta = -span / 2 + step * (index + 0.5)
                px = cx + ring_r * math.sin(math.radians(theta))
                py = cy - ring_r * math.cos(math.radians(theta))
                with pdf.rotation(-theta, px, py):
                    self.text(px, py + size_mm * 0.36, char, size_mm / PT, align="C")
            self.text(cx, cy + 10.8, "平台电子证照专用章", 2.9 / PT, align="C")

    def qr(self) -> None:
        doc, pdf = self.doc, self.pdf
        pdf.image(io.BytesIO(qr_png(doc.qr_text, scale=6)), QR_X, QR_Y, QR_SIZE, QR_SIZE)
        centre = QR_X + QR_SIZE / 2
        self.text(centre, QR_Y + QR_SIZE + 5, "扫码核验", 11, align="C")
        url = printable(doc.verify_url)
        size = self.fit(url, 52, 7, 5)
        self.text(centre, QR_Y + QR_SIZE + 9.5, self.ellipsize(url, 52, size), size, align="C")

    def footer(self) -> None:
        doc = self.doc
        ident = printable(f"电子证照标识：{doc.identifier}")
        size = self.fit(ident, TABLE_W, 7.5, 5.5)
        self.text(TABLE_X, 268, self.ellipsize(ident, TABLE_W, size), size)
        self.text(TABLE_X, 273, "本证照由一网通办平台签发，真伪与当前状态以扫码核验结果为准。", 7.5)

    def watermark(self, label: str) -> None:
        pdf = self.pdf
        label = printable(label)
        size = self.fit(label, 170, 110, 40)
        with pdf.local_context(fill_opacity=0.22, text_color=RED), pdf.rotation(35, PAGE_W / 2, PAGE_H / 2):
            self.text(PAGE_W / 2, PAGE_H / 2 + size * PT * 0.35, label, size, align="C")

    def output(self) -> bytes:
        self.frame()
        self.heading()
        self.table()
        self.issuer()
        self.qr()
        self.footer()
        if self.doc.status_label:
            self.watermark(self.doc.status_label)
        return bytes(self.pdf.output())


def render_pdf(doc: LicenseDocument) -> bytes:
    """The license as a one-page A4 PDF with the font embedded (subset by fpdf2)."""
    return _Page(doc).output()


def sample_document(*, status_label: str | None = None) -> LicenseDocument:
    """A fake document marked 样例 for reviewers and tests."""
    note = (
        "yiwang-license/1\n"
        "1.2.156.3005.2.11100000000013127D001.11100000000013127D.0000001.001.7\n"
        "11100000000013127D001\n11100000000013127D\n2026-01-05\n2031-01-04\n"
        "q8GwYtZQJ9ph0cXj3UuA0SmVd9vIxb8w2cB7Q2Y0w2k=\n"
        "kUoQ0y8vBMmL3yJ2o8Hxq1V0i3rUoGZ8eC0m0pU6Yhc=\n\n"
        "— yiwang.example/license 3l4E8wJm2mQe0rYv6Uq5n1bqJm4rY8gW9lU7yP2mT6c3Xk1Qe9Zr+5oVb7yHn2sLk4Pq"
        "8fD0wJx3Ct6uR1mN9aB2cE4gI6kM8oQ==\n"
    )
    return LicenseDocument(
        identifier="1.2.156.3005.2.11100000000013127D001.11100000000013127D.0000001.001.7",
        license_number="JY11105000000001（样例）",
        type_name="食品经营许可证（样例）",
        holder_name="样例市示范餐饮管理有限公司（样例）",
        holder_code="91110105MA00000000",
        issuer_name="样例市市场监督管理局",
        issued_on=date(2026, 1, 5),
        valid_from=date(2026, 1, 5),
        valid_until=date(2031, 1, 4),
        fields=(
            ("法定代表人", "张**（样例）"),
            ("住所", "样例市朝阳区示范路 1 号"),
            ("经营场所", "样例市朝阳区示范路 1 号一层 101 室"),
            ("主体业态", "餐饮服务经营者（中型餐馆）"),
            ("经营项目", "热食类食品制售；冷食类食品制售；自制饮品制售；预包装食品销售（含冷藏冷冻食品）"),
            ("日常监督管理机构", "样例市朝阳区市场监督管理所"),
        ),
        qr_text=note,
        verify_url="https://yiwang.example/licenses/verify",
        status_label=status_label,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Render a sample (样例) e-license PDF.")
    parser.add_argument("--sample", metavar="OUT.pdf", type=Path, required=True)
    parser.add_argument("--status", metavar="LABEL", help='watermark, e.g. "已撤销"')
    args = parser.parse_args(argv)
    args.sample.write_bytes(render_pdf(sample_document(status_label=args.status)))
    print(args.sample)


if __name__ == "__main__":
    main()
