"""Files the journeys upload: tiny valid PDF/PNG, a disguised file and an oversize one."""

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path


def tiny_pdf(text: str = "yiwang journey") -> bytes:
    """A small but valid one-page PDF (correct xref offsets)."""
    stream = f"BT /F1 12 Tf 40 100 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def tiny_png() -> bytes:
    """A valid 2x2 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x1f\x5f\xbf" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@dataclass
class Files:
    """Files to upload, written to a per-test temporary directory."""

    root: Path

    def pdf(self, name: str = "申请书.pdf", text: str = "yiwang journey") -> Path:
        path = self.root / name
        path.write_bytes(tiny_pdf(text))
        return path

    def png(self, name: str = "布局图.png") -> Path:
        path = self.root / name
        path.write_bytes(tiny_png())
        return path

    def fake_pdf(self, name: str = "假文件.pdf") -> Path:
        """Named .pdf, but plain text inside."""
        path = self.root / name
        path.write_text("这不是 PDF 文件，只是一段文字。\n", encoding="utf-8")
        return path

    def oversize_pdf(self, name: str = "超大文件.pdf", size: int = 20 * 1024 * 1024 + 1) -> Path:
        """A real PDF header padded past CASE_UPLOAD_MAX_BYTES (20 MB by default)."""
        path = self.root / name
        head = tiny_pdf()
        with path.open("wb") as out:
            out.write(head)
            out.write(b"%" + b"0" * (max(size - len(head), 2) - 2) + b"\n")
        return path
