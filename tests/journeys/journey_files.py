"""Files the journeys upload: tiny valid PDF/PNG, a disguised file and an oversize one."""

from dataclasses import dataclass
from pathlib import Path

from yiwang.demo.cases import tiny_pdf, tiny_png


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
        head = tiny_pdf("yiwang journey")
        with path.open("wb") as out:
            out.write(head)
            out.write(b"%" + b"0" * (max(size - len(head), 2) - 2) + b"\n")
        return path
