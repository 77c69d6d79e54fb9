"""Control characters in free text, refused with a message that names the field.

NUL cannot be stored by PostgreSQL (a 500 and the typed text lost), and the other C0/C1
controls and lone surrogates are never typed by a person: they come from a paste of binary
data or from a client probing the platform. We refuse rather than strip, so a value is never
silently changed. Tab, CR and LF are allowed in multi-line text only. The bidirectional
embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) are refused too: they
reorder what a reader sees without changing what is stored ("Trojan Source"), so a name or a
reason could show a staff member or an auditor something other than its text. Free of Django.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

# C0 controls and DEL, the C1 controls, the bidirectional overrides and isolates, and lone
# surrogates (which UTF-8 cannot encode).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def control_char_error(label: str, value: str, *, multiline: bool = False) -> str | None:
    """The Chinese message if `value` holds a refused control character, else None."""
    bad = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if bad is None:
        return None
    allowed = "（换行和制表符除外）" if multiline else ""
    return f"{label}：含有不可见的控制字符（U+{ord(bad.group()):04X}），请删除后重新输入；不允许控制字符{allowed}"


def control_char_errors(values: Mapping[str, object], labels: Mapping[str, str]) -> dict[str, list[str]]:
    """Check every text of a posted form (multi-line allowed): errors by field name, each
    message naming the field by its label (or its name when the page gives none)."""
    errors: dict[str, list[str]] = {}
    items = values.lists() if hasattr(values, "lists") else ((k, [v]) for k, v in values.items())
    for name, texts in items:
        for text in texts:
            message = control_char_error(labels.get(name, name), str(text), multiline=True)
            if message is not None:
                errors[name] = [message]
                break
    return errors


def canonical(value: Any) -> str:
    """Compact JSON with sorted keys (dates as text): the same value always gives the same
    string, for fingerprints and the ledger's personal-data commitments."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
