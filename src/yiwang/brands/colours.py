"""Brand colours and the WCAG 2.x contrast rule they must meet (pure, no Django).

A brand has two colours. The primary colour is the header and navigation band, with white
text on it; the accent colour is links and primary buttons, as text on the page's light
backgrounds and as the background of white button text. Each must reach WCAG AA's 4.5:1
(normal text) against every one of those, or the brand is refused with a message naming the
colour, the background and the ratio.
"""

import re
from dataclasses import dataclass

AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
# The light backgrounds accent text sits on (site.css tokens: --surface, --page, --blue-50).
LIGHT_BACKGROUNDS = {"#ffffff": "白色背景", "#f3f5f8": "页面背景", "#eaf1fa": "浅蓝提示背景"}
_HEX = re.compile(r"#[0-9a-f]{6}")


def parse_colour(label: str, raw: str) -> tuple[str, str | None]:
    """(`#rrggbb` lower-cased, None) or (raw, the Chinese error naming the field)."""
    value = raw.strip().lower()
    if not _HEX.fullmatch(value):
        return raw, f"{label}：请填写 #rrggbb 形式的颜色（如 #a8181e），而不是“{raw[:20]}”。"
    return value, None


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class ContrastFailure:
    colour: str
    against: str
    ratio: float

    def message(self, label: str, role: str) -> str:
        return (
            f"{label} {self.colour} {role}的对比度只有 {self.ratio:.2f}:1，"
            f"低于无障碍标准 WCAG AA 要求的 {AA_NORMAL_TEXT}:1；请换一个更深的颜色。"
        )


def primary_failure(colour: str) -> ContrastFailure | None:
    """White header text on the primary colour."""
    ratio = contrast_ratio(colour, WHITE)
    return ContrastFailure(colour, WHITE, ratio) if ratio < AA_NORMAL_TEXT else None


def accent_failures(colour: str) -> list[tuple[str, ContrastFailure]]:
    """The accent as text on each light background (white on it is the same pair as on #fff)."""
    found = []
    for background, name in LIGHT_BACKGROUNDS.items():
        ratio = contrast_ratio(colour, background)
        if ratio < AA_NORMAL_TEXT:
            found.append((name, ContrastFailure(colour, background, ratio)))
    return found


def darker(colour: str, factor: float = 0.8) -> str:
    """`colour` mixed towards black (the navigation strip under the header): darker only raises
    the contrast of white text, so the primary colour's check covers it."""
    channels = (round(int(colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return "#" + "".join(f"{c:02x}" for c in channels)
