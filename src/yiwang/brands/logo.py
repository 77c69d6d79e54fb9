"""A brand logo: a PNG checked by its content, bounded, and re-encoded before it is kept.

SVG is refused: an SVG is a document that can carry script, external references and CSS,
and sanitising it well is a project of its own; a logo in the header needs none of that.
The PNG is decoded by Pillow (not trusted by its name or declared type), its dimensions are
bounded before any pixel is decoded, and it is re-encoded, so the bytes we serve are ones
Pillow wrote (no text chunks or trailing data from the upload survive).
"""

import hashlib
import io

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 200 * 1024
MIN_SIDE, MAX_SIDE = 32, 512
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class LogoRefused(Exception):
    """The Chinese reason an uploaded logo is refused."""


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """The re-encoded PNG and its SHA-256, or `LogoRefused` with the reason."""
    if len(data) > MAX_BYTES:
        raise LogoRefused(f"标志：文件超过 {MAX_BYTES // 1024} KB 的上限，请压缩后再上传。")
    head = data[:256].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
        raise LogoRefused("标志：不接受 SVG 文件（可能含有脚本），请上传 PNG 图片。")
    if not data.startswith(PNG_SIGNATURE):
        raise LogoRefused("标志：文件内容不是 PNG 图片，请上传 PNG 格式的标志。")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if probe.format != "PNG":
                raise LogoRefused("标志：文件内容不是 PNG 图片，请上传 PNG 格式的标志。")
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise LogoRefused(f"标志：图片为 {width}×{height} 像素，边长应在 {MIN_SIDE} 到 {MAX_SIDE} 像素之间。")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG", optimize=True)
    except Image.DecompressionBombError as exc:
        raise LogoRefused(f"标志：图片尺寸过大，边长应在 {MIN_SIDE} 到 {MAX_SIDE} 像素之间。") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise LogoRefused("标志：PNG 文件已损坏，无法读取，请重新导出后上传。") from exc
    png = out.getvalue()
    return png, hashlib.sha256(png).hexdigest()
