"""A brand's text, host names and colours: what an administrator is told when one is wrong."""

from yiwang.brands.colours import contrast_ratio
from yiwang.brands.fields import clean_values
from yiwang.brands.tests.conftest import TAIAN_VALUES


def _errors(**changes: str) -> dict[str, list[str]]:
    return clean_values({**TAIAN_VALUES, **changes})[1]


def test_the_demo_values_are_clean_and_typed() -> None:
    values, errors = clean_values(
        {**TAIAN_VALUES, "hosts": "taian.localhost, ta.example.gov.cn", "accent_colour": "#2E6B34"}
    )
    assert errors == {}
    assert values["hosts"] == ["taian.localhost", "ta.example.gov.cn"]
    assert values["accent_colour"] == "#2e6b34"


def test_contrast_is_the_wcag_formula() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48  # the classic just-failing grey


def test_a_primary_colour_too_light_for_white_text_is_refused_naming_the_colour_and_ratio() -> None:
    [message] = _errors(primary_colour="#e53935")["primary_colour"]
    assert "主色 #e53935 上的白色文字的对比度只有 4.23:1" in message
    assert "WCAG AA 要求的 4.5:1" in message


def test_an_accent_colour_is_refused_on_the_background_where_it_fails() -> None:
    # #1a73e8 passes on white (4.51:1) but not on the page's grey or the light-blue panels.
    messages = _errors(accent_colour="#1a73e8")["accent_colour"]
    assert len(messages) == 2
    assert "页面背景（#f3f5f8）" in messages[0] and "浅蓝提示背景（#eaf1fa）" in messages[1]
    assert not any("白色背景" in m for m in messages)


def test_a_colour_not_written_as_rrggbb_is_refused() -> None:
    assert "#rrggbb" in _errors(primary_colour="red")["primary_colour"][0]
    assert "#rrggbb" in _errors(accent_colour="#abc")["accent_colour"][0]


def test_host_names_are_lower_case_names_without_port_or_wildcard() -> None:
    assert "小写" in _errors(hosts="TaiAn.localhost")["hosts"][0]
    for bad in ("*.localhost", "taian.localhost:8000", "taian", "http://taian.localhost/", "10.0.0.1", "-a.localhost"):
        assert _errors(hosts=bad)["hosts"], bad
    assert "两次" in _errors(hosts="taian.localhost taian.localhost")["hosts"][0]


def test_the_hotline_is_digits_and_dashes_and_the_fields_are_bounded() -> None:
    assert "数字和连字符" in _errors(hotline="0538 12345")["hotline"][0]
    assert "最多 30 个字" in _errors(name="泰" * 31)["name"][0]
    assert "必填" in _errors(name=" ")["name"][0]
    assert "控制字符" in _errors(tagline="泰\u202e好办")["tagline"][0]
