"""Checking and storing uploaded materials (architecture rule 8: type by content, size).

The extension is what the applicant claims; the first bytes are what the file is. A
material is accepted only when both agree and the type is one the platform takes — PDF,
JPEG, PNG or OFD (the national 版式文档 format: a ZIP package with OFD.xml at its root) —
and the size is within settings.CASE_UPLOAD_MAX_BYTES. Messages name the material and the
file, in Chinese. Accepted files are stored under MEDIA_ROOT by their SHA-256
(content-addressed, so a retried upload stores nothing twice) and never served publicly.
"""

import contextlib
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from yiwang.core.errors import ValidationFailed

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


KINDS = {
    "pdf": FileKind("pdf", "PDF 文件", (".pdf",), "application/pdf"),
    "jpeg": FileKind("jpeg", "JPEG 图片", (".jpg", ".jpeg"), "image/jpeg"),
    "png": FileKind("png", "PNG 图片", (".png",), "image/png"),
    "ofd": FileKind("ofd", "OFD 版式文件", (".ofd",), "application/ofd"),
}
_BY_EXTENSION = {ext: kind for kind in KINDS.values() for ext in kind.extensions}
ACCEPTED = "、".join(k.label for k in KINDS.values())


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    kind: FileKind
    size: int
    sha256: str
    content: bytes

    @property
    def storage_name(self) -> str:
        return f"cases/{self.sha256[:2]}/{self.sha256}{self.kind.extensions[0]}"

    def stored_fields(self, storage_name: str) -> dict[str, object]:
        """What a stored-file row (CaseMaterial, BundleUpload) records of this file."""
        return {
            "original_name": self.original_name[:255],
            "storage_name": storage_name,
            "content_type": self.kind.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def max_upload_bytes() -> int:
    return int(getattr(settings, "CASE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(content: bytes) -> str | None:
    """The kind of file the bytes are (pdf / jpeg / png / ofd / zip / None if unknown)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"%PDF-" in content[:1024]:  # the PDF spec tolerates leading junk within 1 KB
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                names = {name.lower() for name in package.namelist()}
        except zipfile.BadZipFile:
            return None
        return "ofd" if "ofd.xml" in names else "zip"
    return None


_SNIFFED_LABELS = {**{k: v.label for k, v in KINDS.items()}, "zip": "普通 ZIP 压缩包"}


def upload_check(*, upload: File, material_name: str) -> CheckedFile:
    """Read and check `upload` for the material called `material_name`; ValidationFailed if bad."""
    name = PurePath(upload.name or "").name or "未命名文件"
    limit = max_upload_bytes()
    prefix = f"材料“{material_name}”：文件“{name}”"
    chunks: list[bytes] = []
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:
            raise ValidationFailed({"file": [f"{prefix}超过大小上限 {_megabytes(limit)}，请压缩或分拆后再上传。"]})
        chunks.append(chunk)
    content = b"".join(chunks)
    if size == 0:
        raise ValidationFailed({"file": [f"{prefix}是空文件，请重新选择。"]})
    extension = PurePath(name).suffix.lower()
    claimed = _BY_EXTENSION.get(extension)
    if extension and claimed is None:
        raise ValidationFailed({"file": [f"{prefix}的格式（{extension}）不被接受，只接受 {ACCEPTED}。"]})
    actual = sniff(content)
    if actual not in KINDS:
        what = f"实际是{_SNIFFED_LABELS[actual]}" if actual else "无法识别为任何可接受的格式"
        expected = f"不是真正的 {claimed.label}（{what}）" if claimed else f"的内容{what}"
        raise ValidationFailed({"file": [f"{prefix}{expected}，只接受 {ACCEPTED}，请上传原始文件。"]})
    kind = KINDS[actual]
    if claimed is not None and claimed is not kind:
        raise ValidationFailed(
            {"file": [f"{prefix}的扩展名是 {extension}，但内容实际是 {kind.label}，请上传真正的 {claimed.label}。"]}
        )
    return CheckedFile(name, kind, size, hashlib.sha256(content).hexdigest(), content)


def upload_store(checked: CheckedFile) -> str:
    """Store the checked file content-addressed under MEDIA_ROOT; returns its storage name.

    A copy already there is used only if it is whole: a write cut short (a full disk) leaves
    the bytes written so far under the name, and a later upload of the same file must not
    take them for the file (tests/test_faults.py fills the disk). Such a copy is written again;
    a write that fails removes what it left.
    """
    name = checked.storage_name
    if default_storage.exists(name):
        if default_storage.size(name) == checked.size:
            return name
        default_storage.delete(name)  # cut short earlier: write it again
    try:
        saved = default_storage.save(name, ContentFile(checked.content))
    except OSError:
        with contextlib.suppress(OSError):
            if default_storage.exists(name) and default_storage.size(name) != checked.size:
                default_storage.delete(name)
        raise
    if saved != name:  # a concurrent identical upload won the race; same bytes, keep one
        default_storage.delete(saved)
    return name


def _megabytes(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    return f"{n / 1024:.3g} KB"
