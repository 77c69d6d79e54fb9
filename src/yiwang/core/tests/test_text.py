"""core.text: which characters a typed text may not hold, and the message naming the field."""

import pytest

from yiwang.core.text import control_char_error, control_char_errors


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x1b", "\x7f", "\x85", "\u202a", "\u202d", "\u202e", "\u2066", "\u2069", "\ud800"],
)
def test_controls_and_bidi_overrides_are_refused_naming_the_field_and_the_code_point(char: str) -> None:
    message = control_char_error("督办事由", f"按期{char}办结")
    assert message is not None
    assert message.startswith("督办事由：") and f"U+{ord(char):04X}" in message


@pytest.mark.parametrize("text", ["济南市行政审批服务局", "第一行\n第二行\t缩进", "مرحبا", "A\u200bB", "零\u200d宽"])
def test_ordinary_text_of_many_scripts_passes_in_multi_line_fields(text: str) -> None:
    assert control_char_error("说明", text, multiline=True) is None


def test_line_breaks_pass_only_where_the_field_takes_several_lines() -> None:
    assert control_char_error("名称", "甲\n乙") is not None
    assert control_char_error("说明", "甲\n乙", multiline=True) is None


def test_a_posted_form_gets_one_message_per_field_that_holds_a_refused_character() -> None:
    errors = control_char_errors({"subject": "正常", "text": "反转\u202e字符"}, {"text": "督办内容"})
    assert list(errors) == ["text"] and "督办内容" in errors["text"][0]
