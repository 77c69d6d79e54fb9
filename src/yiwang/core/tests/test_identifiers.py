"""Tests for yiwang.core.identifiers (pure: no Django needed).

The check characters are recomputed here with the textbook formulas (ISO 7064 MOD 11-2 with
weights 2^k mod 11, and weights 3^k mod 31 for GB 32100) rather than the module's tables,
so a typo in either table would be caught.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.core.identifiers import (
    CREDIT_AUTHORITIES,
    CREDIT_CATEGORIES,
    CREDIT_STRICT_CATEGORIES,
    PROVINCE_CODES,
    IdentifierError,
    RegionLevel,
    mask_name,
    mask_phone,
    mask_resident_id,
    validate_credit_code,
    validate_region_code,
    validate_resident_id,
)

TODAY = datetime.date(2026, 3, 1)
VALID_ID = "11010519491231002X"
VALID_CREDIT = "91110000600037341L"
# 农民专业合作社 (registering authority N = agriculture) in 海淀区 110108; check char computed
# by _ref_credit_check below. python-stdnum's cn.uscc demands 8 leading digits and rejects it.
LETTER_FIRST_CREDIT = "N2110108MA01ABCD47"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
RULES = {"type", "length", "charset", "birth_date", "checksum", "authority", "category", "region"}


def _ref_id_check(body: str) -> str:
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(body))
    r = (12 - total % 11) % 11
    return "X" if r == 10 else str(r)


def _ref_credit_check(body: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return CREDIT_ALPHABET[-total % 31]


def _equivalent(a: str, b: str) -> bool:
    """Characters the validators deliberately treat as equal (case, full-width forms)."""

    def canon(c: str) -> str:
        if 0xFF01 <= ord(c) <= 0xFF5E:
            c = chr(ord(c) - 0xFF01 + 0x21)
        return c.upper()

    return canon(a) == canon(b)


def _reject(validator: Callable[..., object], value: str, field: str) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        validator(value, field=field)
    err = info.value
    assert err.field == field
    assert err.rule in RULES
    assert err.message.startswith(f"{field}：") and err.message.endswith("）")
    assert str(err) == err.message and isinstance(err, ValueError)
    return err


# --- 居民身份证号 --------------------------------------------------------------------------


def test_resident_id_examples_and_normalisation() -> None:
    assert _ref_id_check(VALID_ID[:17]) == "X"
    assert validate_resident_id(VALID_ID, today=TODAY) == VALID_ID
    assert validate_resident_id("11010519491231002x", today=TODAY) == VALID_ID
    assert validate_resident_id(" 110105 19491231 002x ", today=TODAY) == VALID_ID
    assert validate_resident_id("１１０１０５１９４９１２３１００２ｘ", today=TODAY) == VALID_ID


def test_resident_id_checksum_message() -> None:
    err = _reject(validate_resident_id, "110105194912310021", "居民身份证号")
    assert err.rule == "checksum"
    assert err.message == "居民身份证号：校验码应为X，实际为1（GB 11643 校验规则）"


@pytest.mark.parametrize(
    ("value", "rule", "fragment"),
    [
        ("", "length", "应为18位，实际为0位"),
        ("11010519491231002", "length", "实际为17位"),
        ("1101051949123100XX", "charset", "第17位“X”不是数字"),
        ("11010519491231002A", "charset", "第18位校验码“A”应为数字或X"),
        ("110105²949123100²X", "charset", "第7位“²”不是数字"),
        ("110105194902300020", "birth_date", "“19490230”不是有效日期"),
        ("110105189912310020", "birth_date", "早于1900年"),
        ("110105202603020020", "birth_date", "晚于当前日期"),
    ],
)
def test_resident_id_rule_messages(value: str, rule: str, fragment: str) -> None:
    with pytest.raises(IdentifierError) as info:
        validate_resident_id(value, field="证件号码", today=TODAY)
    assert info.value.rule == rule
    assert fragment in info.value.message and info.value.message.startswith("证件号码：")


def test_resident_id_keeps_unknown_address_codes() -> None:
    # Abolished counties, HK/Macao/Taiwan residence permits (83...) and 9... cards are real.
    for address in ("000000", "830000", "910000", "999999"):
        body = address + "19800101123"
        value = body + _ref_id_check(body)
        assert validate_resident_id(value, today=TODAY) == value


def test_resident_id_every_digit_substitution_rejected() -> None:
    for pos in range(18):
        for c in "0123456789X":
            if c != VALID_ID[pos]:
                changed = VALID_ID[:pos] + c + VALID_ID[pos + 1 :]
                _reject(validate_resident_id, changed, "居民身份证号")


@st.composite
def valid_resident_ids(draw: st.DrawFn) -> str:
    address = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    born = draw(st.dates(datetime.date(1900, 1, 1), TODAY))
    seq = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    body = f"{address}{born:%Y%m%d}{seq}"
    return body + _ref_id_check(body)


@given(valid_resident_ids(), st.integers(0, 17), st.characters())
def test_resident_id_one_changed_character_rejected(valid: str, pos: int, c: str) -> None:
    assert validate_resident_id(valid, today=TODAY) == valid
    if _equivalent(c, valid[pos]):
        return  # "x" for "X" or a full-width twin is the same ID by design
    changed = valid[:pos] + c + valid[pos + 1 :]
    with pytest.raises(IdentifierError) as info:
        validate_resident_id(changed, today=TODAY)
    assert info.value.rule in RULES and info.value.message.startswith("居民身份证号：")


# --- 统一社会信用代码 ----------------------------------------------------------------------


def test_credit_code_examples() -> None:
    assert _ref_credit_check(VALID_CREDIT[:17]) == "L"
    assert validate_credit_code(VALID_CREDIT) == VALID_CREDIT
    assert validate_credit_code(" 9111 0000 6000 3734 1l ") == VALID_CREDIT


def test_credit_code_letter_first_accepted() -> None:
    assert _ref_credit_check(LETTER_FIRST_CREDIT[:17]) == LETTER_FIRST_CREDIT[17]
    assert not LETTER_FIRST_CREDIT[:8].isdigit()  # what python-stdnum would refuse
    assert validate_credit_code(LETTER_FIRST_CREDIT) == LETTER_FIRST_CREDIT
    for first in "AY":
        body = first + LETTER_FIRST_CREDIT[1:17]
        assert validate_credit_code(body + _ref_credit_check(body)).startswith(first)


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_credit_code_forbidden_letters_named(letter: str) -> None:
    err = _reject(validate_credit_code, VALID_CREDIT[:10] + letter + VALID_CREDIT[11:], "信用代码")
    assert err.rule == "charset"
    assert "第11位（主体标识码）" in err.message and "不使用字母I、O、Z、S、V" in err.message


def test_credit_code_structure_messages() -> None:
    err = _reject(validate_credit_code, "91A10000600037341L", "统一社会信用代码")
    assert "第3位“A”不是数字" in err.message and "行政区划码" in err.message
    err = _reject(validate_credit_code, "9#110000600037341L", "统一社会信用代码")
    assert "第2位（机构类别码）“#”不合法" in err.message
    err = _reject(validate_credit_code, "91110000600037341A", "统一社会信用代码")
    assert err.message == "统一社会信用代码：校验码应为L，实际为A（GB 32100 校验规则）"


# GB 32100 code sets as the 2015 standard's table lists them (authority → categories).
STANDARD_2015 = {"1": "1239", "5": "1239", "9": "123", "Y": "1"}


@st.composite
def credit_regions(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return "100000"
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    prefecture = draw(st.from_regex(r"[0-9][1-9]|[1-9]0", fullmatch=True))
    return province + prefecture + draw(st.from_regex(r"[0-9]{2}", fullmatch=True))


@st.composite
def valid_credit_codes(draw: st.DrawFn) -> str:
    letters = st.sampled_from(CREDIT_ALPHABET)
    authority = draw(st.sampled_from(sorted(CREDIT_AUTHORITIES)))
    category = draw(st.sampled_from(sorted(CREDIT_CATEGORIES[authority])))
    body = authority + category + draw(credit_regions()) + "".join(draw(st.lists(letters, min_size=9, max_size=9)))
    return body + _ref_credit_check(body)


def _with_check(body: str) -> str:
    return body + _ref_credit_check(body)


def test_credit_code_sets_follow_the_standard_table() -> None:
    for authority, categories in STANDARD_2015.items():
        assert set(categories) <= set(CREDIT_CATEGORIES[authority])
    assert set(STANDARD_2015) >= CREDIT_STRICT_CATEGORIES
    assert set(CREDIT_AUTHORITIES) == set("123456789ANY")


@pytest.mark.parametrize("first", sorted(set(CREDIT_ALPHABET) - set("123456789ANY")))
def test_credit_code_unknown_registering_authority_rejected(first: str) -> None:
    err = _reject(validate_credit_code, _with_check(first + VALID_CREDIT[1:17]), "统一社会信用代码")
    assert err.rule == "authority"
    assert f"第1位登记管理部门码“{first}”不存在" in err.message and "9 工商" in err.message


@pytest.mark.parametrize(
    ("code", "name"), [("94", "工商（市场监管）"), ("90", "工商（市场监管）"), ("54", "民政"), ("18", "机构编制")]
)
def test_credit_code_category_must_belong_to_its_authority(code: str, name: str) -> None:
    err = _reject(validate_credit_code, _with_check(code + VALID_CREDIT[2:17]), "统一社会信用代码")
    assert err.rule == "category"
    assert f"第2位机构类别码“{code[1]}”不适用于登记管理部门“{name}”" in err.message


def test_credit_code_category_lenient_where_the_table_is_unconfirmed() -> None:
    for head in ("A2", "Y3", "N9", "75", "31"):
        assert validate_credit_code(_with_check(head + VALID_CREDIT[2:17])).startswith(head)
    err = _reject(validate_credit_code, _with_check("YA" + VALID_CREDIT[2:17]), "统一社会信用代码")
    assert err.rule == "category"


@pytest.mark.parametrize("region", ["000000", "990000", "201234", "370012"])
def test_credit_code_region_part_must_be_structurally_valid(region: str) -> None:
    err = _reject(validate_credit_code, _with_check("91" + region + VALID_CREDIT[8:17]), "统一社会信用代码")
    assert err.rule == "region" and f"第3–8位行政区划码“{region}”" in err.message


def test_credit_code_national_region_accepted() -> None:
    code = _with_check("21100000" + VALID_CREDIT[8:17])
    assert validate_credit_code(code) == code


@given(valid_credit_codes())
def test_credit_codes_built_from_the_code_sets_are_valid(code: str) -> None:
    assert validate_credit_code(code) == code


@given(valid_credit_codes(), st.integers(0, 17), st.characters())
def test_credit_code_one_changed_character_rejected(valid: str, pos: int, c: str) -> None:
    assert validate_credit_code(valid) == valid
    if _equivalent(c, valid[pos]):
        return
    changed = valid[:pos] + c + valid[pos + 1 :]
    with pytest.raises(IdentifierError) as info:
        validate_credit_code(changed)
    assert info.value.rule in RULES and info.value.message.startswith("统一社会信用代码：")


# --- 行政区划代码 --------------------------------------------------------------------------


def test_region_code_levels_and_kinds() -> None:
    county = validate_region_code("371083")  # 乳山市
    assert (county.code, county.level, county.short) == (
        "371083000000",
        RegionLevel.COUNTY,
        "371083",
    )
    assert county.parent_code() == "371000000000"
    assert county.township_kind is None and county.village_kind is None

    town = validate_region_code("371083108")
    assert (town.code, town.level, town.township_kind) == (
        "371083108000",
        RegionLevel.TOWNSHIP,
        "镇",
    )
    assert town.parent_code() == "371083000000" and town.village_kind is None

    village = validate_region_code("371083108201")
    assert village.level is RegionLevel.VILLAGE
    assert (village.township_kind, village.village_kind) == ("镇", "村委会")
    assert village.parent_code() == "371083108000"

    assert validate_region_code("370000").level is RegionLevel.PROVINCE
    assert validate_region_code("370000").parent_code() is None
    assert validate_region_code("371000").level is RegionLevel.PREFECTURE
    assert validate_region_code("371000").parent_code() == "370000000000"
    assert validate_region_code("110105001").township_kind == "街道"
    assert validate_region_code("110105200").township_kind == "乡"
    assert validate_region_code("110105001001").village_kind == "居委会"


def test_region_code_countyless_prefecture() -> None:
    dongcheng = validate_region_code("441900003")  # 东莞市东城街道
    assert dongcheng.level is RegionLevel.TOWNSHIP and dongcheng.township_kind == "街道"
    assert dongcheng.parent_code() == "441900000000"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("37108", "length"),
        ("3710831082", "length"),
        ("37108A", "charset"),
        ("001083", "province"),
        ("901083", "province"),
        ("370083", "hierarchy"),
        ("371000100", "hierarchy"),
        ("371083000201", "hierarchy"),
        ("371083700", "township"),
        ("371083108700", "village"),
    ],
)
def test_region_code_rejections(value: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as info:
        validate_region_code(value, field="区划代码")
    assert info.value.rule == rule and info.value.message.startswith("区划代码：")


def test_province_codes_are_the_34_divisions() -> None:
    assert len(PROVINCE_CODES) == 34
    assert min(PROVINCE_CODES) == "11" and max(PROVINCE_CODES) == "82"


# --- Masking ---------------------------------------------------------------------------------


def test_masks() -> None:
    assert mask_resident_id(VALID_ID) == "110***********002X"
    assert mask_resident_id("11010519491231002x") == "110***********002X"
    assert mask_resident_id("12345") == "*****"
    assert mask_name("张三") == "张*"
    assert mask_name("张三丰") == "张**"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("欧阳修") == "欧阳*"
    assert mask_name("阿依古丽·买买提") == "阿***·***"
    assert mask_name("张") == "*"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "+86138****5678"
    assert mask_phone("010-12345678") == "***-****5678"
