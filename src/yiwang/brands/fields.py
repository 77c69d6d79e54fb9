"""The text fields of a brand: bounds, host names and colours, checked with Chinese messages."""

import re
from collections.abc import Mapping
from typing import TypedDict

from yiwang.brands.colours import accent_failures, parse_colour, primary_failure
from yiwang.core.text import control_char_error

LABELS = {
    "name": "品牌名称",
    "short_name": "简称",
    "tagline": "口号",
    "hotline": "本地服务热线",
    "hosts": "主机名",
    "primary_colour": "主色",
    "accent_colour": "强调色",
}
MAX_LENGTHS = {"name": 30, "short_name": 12, "tagline": 40, "hotline": 20, "hosts": 400}
REQUIRED = ("name", "short_name", "primary_colour", "accent_colour")
MAX_HOSTS = 5
_HOTLINE = re.compile(r"[0-9]+(-[0-9]+)*")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


class BrandValues(TypedDict):
    name: str
    short_name: str
    tagline: str
    hotline: str
    hosts: list[str]
    primary_colour: str
    accent_colour: str


def split_hosts(raw: str) -> list[str]:
    return [part for part in re.split(r"[\s,，、]+", raw.strip()) if part]


def host_error(host: str) -> str | None:
    """Why `host` is not a host name a brand may answer on (lower-case, no port, no wildcard)."""
    if host != host.lower():
        return f"主机名“{host}”：请全部使用小写字母。"
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return f"主机名“{host[:60]}”：不是有效的主机名（如 jinan.example.gov.cn，不含端口、通配符和路径）。"
    if labels[-1].isdigit():
        return f"主机名“{host}”：请填写域名，而不是 IP 地址。"
    return None


def _colour(key: str, raw: str) -> tuple[str, list[str]]:
    """The colour as `#rrggbb` and what is wrong with it: its form, or its contrast (the
    primary colour carries white header text; the accent is text on the light backgrounds)."""
    label = LABELS[key]
    colour, message = parse_colour(label, raw)
    if message:
        return colour, [message]
    if key == "primary_colour":
        failure = primary_failure(colour)
        return colour, [failure.message(label, "上的白色文字")] if failure else []
    return colour, [f.message(label, f"作为文字在{name}（{f.against}）上") for name, f in accent_failures(colour)]


def clean_values(raw: Mapping[str, str]) -> tuple[BrandValues, dict[str, list[str]]]:
    """The typed values and the errors by field (empty when all is well)."""
    errors: dict[str, list[str]] = {}
    text = {key: str(raw.get(key, "")).strip() for key in LABELS}
    for key, label in LABELS.items():
        message = control_char_error(label, text[key], multiline=key == "hosts")
        if message:
            errors[key] = [message]
    for key in REQUIRED:
        if not text[key] and key not in errors:
            errors[key] = [f"{LABELS[key]}：必填。"]
    for key, limit in MAX_LENGTHS.items():
        if len(text[key]) > limit and key not in errors:
            errors[key] = [f"{LABELS[key]}：最多 {limit} 个字，现有 {len(text[key])} 个。"]
    if text["hotline"] and "hotline" not in errors and not _HOTLINE.fullmatch(text["hotline"]):
        errors["hotline"] = ["本地服务热线：只能包含数字和连字符（如 0538-12345）。"]
    hosts = split_hosts(text["hosts"]) if "hosts" not in errors else []
    host_messages = [m for m in (host_error(h) for h in hosts) if m]
    if len(hosts) > MAX_HOSTS:
        host_messages.append(f"主机名：最多 {MAX_HOSTS} 个，现有 {len(hosts)} 个。")
    if len(set(hosts)) != len(hosts):
        host_messages.append("主机名：同一个主机名填写了两次。")
    if host_messages:
        errors["hosts"] = host_messages
    colours = {}
    for key in ("primary_colour", "accent_colour"):
        if key not in errors:
            colours[key], messages = _colour(key, text[key])
            if messages:
                errors[key] = messages
    values: BrandValues = {
        "name": text["name"],
        "short_name": text["short_name"],
        "tagline": text["tagline"],
        "hotline": text["hotline"],
        "hosts": hosts,
        "primary_colour": colours.get("primary_colour", text["primary_colour"]),
        "accent_colour": colours.get("accent_colour", text["accent_colour"]),
    }
    return values, errors
