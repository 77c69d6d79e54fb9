"""Logo uploads: PNG by content only, bounded, re-encoded; SVG and everything else refused."""

import hashlib
import io
import struct
import zlib

import pytest
from PIL import Image

from yiwang.brands.logo import MAX_BYTES, LogoRefused, clean_logo
from yiwang.brands.tests.conftest import png


def test_a_png_is_re_encoded_and_its_trailing_bytes_dropped() -> None:
    data = png() + b"<script>alert(1)</script>"
    cleaned, digest = clean_logo(data)
    assert cleaned.startswith(b"\x89PNG") and b"<script>" not in cleaned
    assert digest == hashlib.sha256(cleaned).hexdigest()
    assert Image.open(io.BytesIO(cleaned)).size == (64, 64)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "不接受 SVG"),
        (b'<?xml version="1.0"?>\n<svg><rect/></svg>', "不接受 SVG"),
        (b"GIF89a" + b"\0" * 40, "不是 PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "已损坏"),
    ],
)
def test_svg_and_non_png_content_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(LogoRefused, match=reason):
        clean_logo(data)


def test_a_jpeg_named_anything_is_refused_by_its_content() -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, format="JPEG")
    with pytest.raises(LogoRefused, match="不是 PNG"):
        clean_logo(out.getvalue())


def test_too_big_and_out_of_bounds_sizes_are_refused() -> None:
    with pytest.raises(LogoRefused, match="超过 200 KB"):
        clean_logo(png() + b"\0" * MAX_BYTES)
    with pytest.raises(LogoRefused, match="1024×16 像素"):
        clean_logo(png((1024, 16)))


def test_a_png_declaring_huge_dimensions_is_refused_before_decoding() -> None:
    data = bytearray(png())
    header = b"IHDR" + struct.pack(">II", 60000, 60000) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    with pytest.raises(LogoRefused, match="尺寸过大"):
        clean_logo(bytes(data))
