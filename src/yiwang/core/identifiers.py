"""Validation and masking of Chinese identifiers, free of Django.

Every validator returns the normalised value or raises :class:`IdentifierError`, whose
``message`` is Simplified Chinese that names the form field and the rule that failed, so the
same text can be shown to applicants verbatim. Normalisation is deliberately narrow (spaces,
full-width ASCII from Chinese IMEs, letter case): anything else must be rejected, because a
changed character in an identifier is exactly what the check characters exist to catch.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

__all__ = [
    "IdentifierError",
    "RegionCode",
    "RegionLevel",
    "credit_code_check_char",
    "license_identifier",
    "mask_name",
    "mask_phone",
    "mask_resident_id",
    "mod37_36_check_char",
    "resident_id_check_char",
    "validate_credit_code",
    "validate_license_identifier",
    "validate_license_type_code",
    "validate_region_code",
    "validate_resident_id",
]

_DIGITS = frozenset("0123456789")  # str.isdigit() would also accept "²" and "٣"
# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space, as typed with a Chinese IME.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


class IdentifierError(ValueError):
    """An identifier failed one named rule; ``str(error)`` is the Chinese ``message``."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule  # stable machine-readable id: "length", "charset", "checksum", ...
        self.message = message


def _fail(field: str, rule: str, detail: str, basis: str) -> IdentifierError:
    """Build the error; the message always reads "<field>：<what is wrong>（<which rule>）"."""
    return IdentifierError(field, rule, f"{field}：{detail}（{basis}）")


def _normalise(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise _fail(field, "type", f"应为文本，实际为{type(value).__name__}", "输入类型")
    return "".join(value.translate(_HALF_WIDTH).split()).upper()


def _check_length(value: str, expected: int, field: str, std: str) -> None:
    if len(value) != expected:
        raise _fail(field, "length", f"应为{expected}位，实际为{len(value)}位", f"{std} 长度规则")


# --- 居民身份证号 GB 11643-1999 ---------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_check_char(body: str) -> str:
    """Return the GB 11643 check character for the first 17 digits of an ID number."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value: str, field: str = "居民身份证号", *, today: datetime.date | None = None) -> str:
    """Validate an 18-character resident ID number and return it normalised.

    The address code is only required to be six digits: numbers issued under abolished
    counties stay valid for life, and residence permits for Hong Kong, Macao and Taiwan
    residents (81/82/83) and the 2023 foreigners' permanent residence card (9xxxxx) share this
    format, so a list of current codes would reject real people. ``today`` exists for tests.
    """
    std = "GB 11643"
    v = _normalise(value, field)
    _check_length(v, 18, field, std)
    for i, c in enumerate(v[:17], start=1):
        if c not in _DIGITS:
            detail = f"第{i}位“{c}”不是数字，前17位应全为数字"
            raise _fail(field, "charset", detail, f"{std} 本体码规则")
    if v[17] not in _DIGITS and v[17] != "X":
        raise _fail(field, "charset", f"第18位校验码“{v[17]}”应为数字或X", f"{std} 校验码规则")
    raw, basis = v[6:14], f"{std} 出生日期码规则"
    try:
        born = datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise _fail(field, "birth_date", f"第7–14位出生日期“{raw}”不是有效日期", basis) from None
    if born.year < 1900:
        raise _fail(field, "birth_date", f"出生日期{born.isoformat()}早于1900年", basis)
    if born > (today or datetime.date.today()):
        raise _fail(field, "birth_date", f"出生日期{born.isoformat()}晚于当前日期", basis)
    expected = resident_id_check_char(v[:17])
    if v[17] != expected:
        raise _fail(field, "checksum", f"校验码应为{expected}，实际为{v[17]}", f"{std} 校验规则")
    return v


# --- 统一社会信用代码 GB 32100-2015 -----------------------------------------------------------

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # I O Z S V are excluded, 31 symbols
_CREDIT_VALUE = {c: i for i, c in enumerate(_CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_PARTS = {1: "登记管理部门码", 2: "机构类别码", 18: "校验码"}

# GB 32100 code sets: registering authority (position 1) → its organisation categories
# (position 2). Authorities 1, 5, 9 and Y and their categories are in the 2015 standard's own
# table. The other authorities (2 外交 … 8 工会, A, N) were added to the code set later; their
# category lists below are taken from public reproductions of the amended table, NOT from the
# standard text, which we could not confirm. So they are lenient (`None`: any digit 1–9 is
# accepted as the category), and so is Y, whose single category "1" would reject real codes
# issued before the rule was applied everywhere. Only the authorities in CREDIT_STRICT_CATEGORIES
# have their category checked. Deployments may extend these tables (module constants).
CREDIT_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
CREDIT_CATEGORIES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常住新闻机构", "9": "其他"},
    "3": {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会"}
    | {"9": "其他"},
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地代表机构", "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}
CREDIT_STRICT_CATEGORIES = frozenset("159")
CREDIT_NATIONAL_REGION = "100000"  # codes assigned by a national registering authority


def credit_code_check_char(body: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str, field: str = "统一社会信用代码") -> str:
    """Validate an 18-character unified social credit code and return it normalised.

    Position 1 (registering authority) and 2 (entity category) may be letters: 农民专业合作社
    start with N, and codes of other authorities with Y or A. python-stdnum requires the first
    eight characters to be digits and therefore rejects those legitimate codes.
    """
    std = "GB 32100"
    v = _normalise(value, field)
    _check_length(v, 18, field, std)
    for i, c in enumerate(v, start=1):
        if 3 <= i <= 8:
            if c not in _DIGITS:
                detail = f"第{i}位“{c}”不是数字，第3–8位登记管理机关行政区划码应为6位数字"
                raise _fail(field, "charset", detail, f"{std} 代码结构规则")
            continue
        part = _CREDIT_PARTS.get(i, "主体标识码")
        if c in "IOZSV":
            detail = f"第{i}位（{part}）“{c}”不合法，代码不使用字母I、O、Z、S、V"
            raise _fail(field, "charset", detail, f"{std} 字符集规则")
        if c not in _CREDIT_VALUE:
            detail = f"第{i}位（{part}）“{c}”不合法，只允许数字和大写字母"
            raise _fail(field, "charset", detail, f"{std} 字符集规则")
    _check_credit_code_sets(v, field, std)
    expected = credit_code_check_char(v[:17])
    if v[17] != expected:
        raise _fail(field, "checksum", f"校验码应为{expected}，实际为{v[17]}", f"{std} 校验规则")
    return v


def _check_credit_code_sets(v: str, field: str, std: str) -> None:
    """Positions 1–8: a known registering authority, a category that authority uses (where
    the standard's table is confirmed, see CREDIT_STRICT_CATEGORIES), and a region part that
    is a structurally valid GB/T 2260 code: a real province, or the national 100000."""
    authority, category, region = v[0], v[1], v[2:8]
    if authority not in CREDIT_AUTHORITIES:
        known = "、".join(f"{k} {name}" for k, name in CREDIT_AUTHORITIES.items())
        detail = f"第1位登记管理部门码“{authority}”不存在，应为：{known}"
        raise _fail(field, "authority", detail, f"{std} 登记管理部门代码表")
    categories = CREDIT_CATEGORIES.get(authority, {})
    strict = authority in CREDIT_STRICT_CATEGORIES
    if category not in (categories if strict else "123456789"):
        known = "、".join(f"{k} {name}" for k, name in categories.items()) or "1–9"
        detail = f"第2位机构类别码“{category}”不适用于登记管理部门“{CREDIT_AUTHORITIES[authority]}”，应为：{known}"
        raise _fail(field, "category", detail, f"{std} 机构类别代码表")
    if region == CREDIT_NATIONAL_REGION:
        return
    basis = f"{std} 登记管理机关行政区划码规则（GB/T 2260）"
    if region[:2] not in PROVINCE_CODES:
        detail = f"第3–8位行政区划码“{region}”的省级代码“{region[:2]}”不存在，应为省级行政区代码或全国 100000"
        raise _fail(field, "region", detail, basis)
    if region[2:4] == "00" and region[4:] != "00":
        raise _fail(field, "region", f"第3–8位行政区划码“{region}”的地级代码为0时县级代码也必须为0", basis)


# --- 行政区划代码 GB/T 2260 and 统计用区划代码 -----------------------------------------------

# The 34 province-level divisions; this set has not changed since Chongqing (50) in 1997.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65", "71", "81", "82"}
)
# Prefecture-level cities without counties (东莞, 中山, 儋州): townships hang directly below
# them with county part 00, e.g. 441900003 东城街道. Without this, real codes would be rejected.
COUNTYLESS_PREFECTURES = frozenset({"4419", "4420", "4604"})


class RegionLevel(enum.Enum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


# Significant digits of a code at each level, in GB/T 2260 + statistical code order.
_LEVEL_DIGITS = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.PREFECTURE: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


def _kind(part: str, ranges: tuple[tuple[int, int, str], ...]) -> str | None:
    n = int(part)
    return next((name for lo, hi, name in ranges if lo <= n <= hi), None)


_TOWNSHIP_KINDS = ((1, 99, "街道"), (100, 199, "镇"), (200, 399, "乡"), (400, 599, "类似乡级单位"))
_VILLAGE_KINDS = (
    (1, 199, "居委会"),
    (200, 399, "村委会"),
    (400, 499, "类似居委会"),
    (500, 599, "类似村委会"),
)


@dataclass(frozen=True)
class RegionCode:
    """A validated region code, always stored as the 12-digit statistical form."""

    code: str
    level: RegionLevel

    @property
    def short(self) -> str:
        """The code without padding: 2, 4, 6, 9 or 12 digits depending on the level."""
        return self.code[: _LEVEL_DIGITS[self.level]]

    @property
    def township_kind(self) -> str | None:
        """街道 / 镇 / 乡 / 类似乡级单位 for township and village codes, else None."""
        if self.level not in (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
            return None
        return _kind(self.code[6:9], _TOWNSHIP_KINDS)

    @property
    def village_kind(self) -> str | None:
        """居委会 / 村委会 (or 类似…) for village codes, else None."""
        if self.level is not RegionLevel.VILLAGE:
            return None
        return _kind(self.code[9:], _VILLAGE_KINDS)

    def parent_code(self) -> str | None:
        """The 12-digit code one level up, or None for a province."""
        if self.level is RegionLevel.PROVINCE:
            return None
        levels = list(RegionLevel)
        keep = _LEVEL_DIGITS[levels[levels.index(self.level) - 1]]
        if self.level is RegionLevel.TOWNSHIP and self.code[4:6] == "00":
            keep = 4  # township of a county-less prefecture such as 东莞
        return self.code[:keep].ljust(12, "0")


def validate_region_code(value: str, field: str = "行政区划代码") -> RegionCode:
    """Parse a 6-digit GB/T 2260 code or a 9/12-digit statistical code.

    Structure is checked (real province, no non-zero level below a zero level, known range
    for township and village parts) but not membership in a particular edition of the code
    list, which changes every year and is data for the database, not for this module.
    """
    std = "GB/T 2260"
    v = _normalise(value, field)
    if len(v) not in (6, 9, 12):
        raise _fail(field, "length", f"应为6位、9位或12位，实际为{len(v)}位", f"{std} 长度规则")
    for i, c in enumerate(v, start=1):
        if c not in _DIGITS:
            raise _fail(field, "charset", f"第{i}位“{c}”不是数字", f"{std} 字符规则")
    code = v.ljust(12, "0")
    prov, pref, county, town, village = code[:2], code[2:4], code[4:6], code[6:9], code[9:]
    if prov not in PROVINCE_CODES:
        detail = f"省级代码“{prov}”不存在，应为34个省级行政区之一"
        raise _fail(field, "province", detail, f"{std} 省级代码规则")

    def below_zero(zero: str, nonzero: str) -> IdentifierError:
        detail = f"{zero}代码为0时{nonzero}代码也必须为0"
        return _fail(field, "hierarchy", detail, f"{std} 层级规则")

    if pref == "00":
        if county + town + village != "0" * 8:
            raise below_zero("地级", "县级及以下")
        return RegionCode(code, RegionLevel.PROVINCE)
    if county == "00" and town == "000":
        if village != "000":
            raise below_zero("县级和乡级", "村级")
        return RegionCode(code, RegionLevel.PREFECTURE)
    if county == "00" and prov + pref not in COUNTYLESS_PREFECTURES:
        raise below_zero("县级", "乡级及以下")
    if town == "000":
        if village != "000":
            raise below_zero("乡级", "村级")
        return RegionCode(code, RegionLevel.COUNTY)
    basis = "统计用区划代码编制规则"
    if _kind(town, _TOWNSHIP_KINDS) is None:
        raise _fail(field, "township", f"乡级代码“{town}”应在001–599之间", basis)
    if village == "000":
        return RegionCode(code, RegionLevel.TOWNSHIP)
    if _kind(village, _VILLAGE_KINDS) is None:
        raise _fail(field, "village", f"村级代码“{village}”应在001–599之间", basis)
    return RegionCode(code, RegionLevel.VILLAGE)


# --- 电子证照标识 GB/T 36904 (as implemented), ISO 7064 MOD 37,36 ----------------------------

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALNUM_VALUE = {c: i for i, c in enumerate(_ALNUM)}
LICENSE_ROOT = "1.2.156.3005.2"
_LICENSE_TYPE_LENGTH = 21


def validate_license_type_code(value: str, field: str = "证照类型代码") -> str:
    """A license type code (domain.md §5): 21 characters of 0-9 and A-Z, returned normalised."""
    v = _normalise(value, field)
    if len(v) != _LICENSE_TYPE_LENGTH:
        raise _fail(field, "length", f"应为{_LICENSE_TYPE_LENGTH}位，实际为{len(v)}位", "GB/T 36904 证照类型代码")
    if not set(v) <= set(_ALNUM):
        raise _fail(field, "charset", "只能包含数字和大写字母", "GB/T 36904 证照类型代码")
    return v


def mod37_36_check_char(body: str) -> str:
    """The ISO 7064 MOD 37,36 (hybrid system, M = 36) check character of `body` (0-9, A-Z).

    P starts at M; for each character, S = (P + value) mod M (0 counts as M) and the next
    P = 2·S mod (M + 1); the check character c makes (P + c) mod M = 1.
    """
    m = 36
    p = m
    for char in body:
        s = (p + _ALNUM_VALUE[char]) % m or m
        p = (2 * s) % (m + 1)
    return _ALNUM[(m + 1 - p) % m]


def _license_body(type_code: str, issuer: str, serial: str, version: str) -> str:
    """The characters the check covers: every alphanumeric character before it, dots left out."""
    return "".join(f"{LICENSE_ROOT}{type_code}{issuer}{serial}{version}".split("."))


def license_identifier(*, type_code: str, issuer: str, serial: str, version: int) -> str:
    """Build `1.2.156.3005.2.<type>.<issuer USCC>.<serial>.<3-digit version>.<check>`."""
    value = f"{version:03d}"
    check = mod37_36_check_char(_license_body(type_code, issuer, serial, value))
    identifier = f"{LICENSE_ROOT}.{type_code}.{issuer}.{serial}.{value}.{check}"
    return validate_license_identifier(identifier)


def validate_license_identifier(value: str, field: str = "电子证照标识") -> str:
    """Validate an e-license identifier (domain.md §5) and return it normalised."""
    std = "GB/T 36904"
    v = _normalise(value, field)
    if not v.startswith(LICENSE_ROOT + "."):
        raise _fail(field, "prefix", f"应以 {LICENSE_ROOT}. 开头", f"{std} 标识结构")
    parts = v[len(LICENSE_ROOT) + 1 :].split(".")
    if len(parts) != 5:
        raise _fail(field, "structure", "应为 证照类型.发证机构代码.序号.版本.校验码 五段", f"{std} 标识结构")
    type_code, issuer, serial, version, check = parts
    if len(type_code) != _LICENSE_TYPE_LENGTH or not set(type_code) <= set(_ALNUM):
        raise _fail(field, "type_code", f"证照类型代码应为{_LICENSE_TYPE_LENGTH}位数字或字母", f"{std} 标识结构")
    validate_credit_code(issuer, f"{field}的发证机构代码")
    if not serial or len(serial) > 40 or not set(serial) <= set(_ALNUM):
        raise _fail(field, "serial", "序号应为1到40位数字或字母", f"{std} 标识结构")
    if len(version) != 3 or not set(version) <= _DIGITS:
        raise _fail(field, "version", "版本号应为3位数字", f"{std} 标识结构")
    if len(check) != 1 or check != mod37_36_check_char(_license_body(type_code, issuer, serial, version)):
        raise _fail(field, "checksum", "校验码不正确", "ISO 7064 MOD 37,36 校验规则")
    return v


# --- Masking for display ---------------------------------------------------------------------

# Common two-character surnames (复姓), kept visible as a whole when masking.
_COMPOUND = (
    "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文司徒夏侯轩辕令狐钟离澹台公冶太史端木申屠闻人"
    "赫连南宫东郭西门百里呼延独孤万俟濮阳淳于单于拓跋司空左丘亓官公羊鲜于羊舌微生漆雕乐正巫马"
)
_COMPOUND_SURNAMES = frozenset(_COMPOUND[i : i + 2] for i in range(0, len(_COMPOUND), 2))


def mask_resident_id(value: str) -> str:
    """Keep the first 3 and last 4 characters: "110***********002X".

    Three leading digits reveal only the province and a partial prefecture; the last four
    are what applicants use to recognise their own record. Never raises, so it is safe to
    call on unvalidated legacy data; anything shorter than 8 characters is fully masked.
    """
    v = "".join(str(value).translate(_HALF_WIDTH).split()).upper()
    if len(v) < 8:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(name: str) -> str:
    """Keep the surname only: "张*", "欧阳**"; separators in names like "阿依·买买提" stay."""
    v = name.strip()
    if len(v) <= 1:
        return "*" * len(v)
    keep = 2 if len(v) > 2 and v[:2] in _COMPOUND_SURNAMES else 1
    return v[:keep] + "".join(c if c in "·• " else "*" for c in v[keep:])


def mask_phone(phone: str) -> str:
    """Mobile numbers become "138****5678" (a +86 prefix stays); others keep the last 4 digits."""
    v = "".join(str(phone).translate(_HALF_WIDTH).split())
    prefix = ""
    for p in ("+86", "0086", "86"):
        if v.startswith(p) and len(v) == len(p) + 11:
            prefix, v = p, v[len(p) :]
            break
    if len(v) == 11 and v[0] == "1" and all(c in _DIGITS for c in v):
        return prefix + v[:3] + "****" + v[-4:]
    positions = [i for i, c in enumerate(v) if c in _DIGITS]
    hidden = set(positions[:-4]) if len(positions) > 4 else set(positions)
    return "".join("*" if i in hidden else c for i, c in enumerate(v))
