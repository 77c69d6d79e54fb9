""" "This region and below" is one rule: `Region.code_prefix` (the code without its padding)."""

import pytest

from yiwang.accounts.models import Region, region_code_prefix


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("370000000000", "province", "37"),
        ("370100000000", "prefecture", "3701"),
        ("370102000000", "county", "370102"),
        ("370102001000", "township", "370102001"),
        ("370102001001", "village", "370102001001"),
    ],
)
def test_a_region_and_those_below_it_share_its_prefix(code: str, level: str, prefix: str) -> None:
    assert Region(code=code, level=level).code_prefix == prefix == region_code_prefix(code, level)
    assert not "110101000000".startswith(prefix)  # 北京 东城区 is under none of them
