"""The e-license identifier (domain.md §5) and its ISO 7064 MOD 37,36 check character."""

import pytest

from yiwang.core.identifiers import (
    IdentifierError,
    license_identifier,
    mod37_36_check_char,
    validate_license_identifier,
)

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TYPE = "11100000MB0143028Y001"
ISSUER = "91110000600037341L"


def _valid(body: str) -> bool:
    """Verification as ISO 7064 states it: run the check over body + check character, P ends at 1."""
    p = 36
    for char in body:
        s = (p + ALNUM.index(char)) % 36 or 36
        p = (2 * s) % 37
    return p == 2  # the last S is 1, so the last P is 2·1 mod 37


def test_known_vector_of_the_standard():
    assert mod37_36_check_char("A12425GABC1234002") == "M"
    assert _valid("A12425GABC1234002M")


@pytest.mark.parametrize("body", ["0", "Z", "A12425GABC1234002", TYPE + ISSUER + "000042001", "9" * 60])
def test_round_trip(body):
    assert _valid(body + mod37_36_check_char(body))


def test_every_single_character_error_is_detected():
    body = TYPE + ISSUER + "000042001"
    good = body + mod37_36_check_char(body)
    for i, original in enumerate(good):
        for other in ALNUM:
            if other != original:
                assert not _valid(good[:i] + other + good[i + 1 :]), (i, other)


def test_every_adjacent_transposition_is_detected():
    body = "1110AZ9MB0143028Y00191110000600037341L0000420017"
    good = body + mod37_36_check_char(body)
    for i in range(len(good) - 1):
        if good[i] != good[i + 1]:
            swapped = good[:i] + good[i + 1] + good[i] + good[i + 2 :]
            assert not _valid(swapped), i


def test_identifier_is_built_and_validated():
    identifier = license_identifier(type_code=TYPE, issuer=ISSUER, serial="000042", version=3)
    assert identifier.startswith(f"1.2.156.3005.2.{TYPE}.{ISSUER}.000042.003.")
    assert validate_license_identifier(identifier.lower()) == identifier


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (lambda s: s[:-1] + ("0" if s[-1] != "0" else "1"), "checksum"),
        (lambda s: s.replace(".000042.", ".000043."), "checksum"),
        (lambda s: s.replace(".003.", ".03."), "version"),
        (lambda s: s.replace("1.2.156.3005.2.", "1.2.156.3005.3."), "prefix"),
        (lambda s: s.replace(TYPE, TYPE[:-1]), "type_code"),
        (lambda s: s.rsplit(".", 1)[0], "structure"),
        (lambda s: s.replace(ISSUER, "91110000600037341X"), "checksum"),
    ],
)
def test_wrong_identifier_names_the_rule(mutate, rule):
    identifier = license_identifier(type_code=TYPE, issuer=ISSUER, serial="000042", version=3)
    with pytest.raises(IdentifierError) as raised:
        validate_license_identifier(mutate(identifier))
    assert raised.value.rule == rule
    assert raised.value.message.startswith("电子证照标识")
