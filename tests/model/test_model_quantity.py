"""Quantity parsing is exact, refuses garbage with ValueError, and formats like people write it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kdash.model.quantity import (
    format_bytes,
    format_cpu,
    format_quantity,
    parse_quantity,
    try_quantity,
)

Ki = 1024

PARSE_CASES = [
    ("100m", Decimal("0.1")),
    ("1.5", Decimal("1.5")),
    ("2Gi", Decimal(2 * Ki**3)),
    ("500M", Decimal(500_000_000)),
    ("1e3", Decimal(1000)),
    ("1E3", Decimal(1000)),
    ("1e-3", Decimal("0.001")),
    ("1e+2", Decimal(100)),
    ("12Ki", Decimal(12 * Ki)),
    ("1.5Gi", Decimal(1_610_612_736)),
    ("0.5Ki", Decimal(512)),
    ("1E", Decimal(10**18)),  # exa, not an exponent
    ("3Ei", Decimal(3 * 2**60)),
    ("250n", Decimal("0.000000250")),
    ("12345678n", Decimal("0.012345678")),
    ("7u", Decimal("0.000007")),
    ("2k", Decimal(2000)),
    ("4T", Decimal(4 * 10**12)),
    ("1P", Decimal(10**15)),
    ("+5", Decimal(5)),
    ("-5m", Decimal("-0.005")),
    (".5", Decimal("0.5")),
    ("5.", Decimal(5)),
    ("0", Decimal(0)),
    (" 64Mi ", Decimal(64 * Ki**2)),
    ("123456789012345678901234567890Ei", Decimal(123456789012345678901234567890 * 2**60)),
    ("0.000000000000000000000000000001", Decimal("1e-30")),
    (3, Decimal(3)),
    (0.1, Decimal("0.1")),
    (Decimal("2.5"), Decimal("2.5")),
]


@pytest.mark.parametrize(("text", "value"), PARSE_CASES, ids=[repr(c[0]) for c in PARSE_CASES])
def test_parse_exact(text: object, value: Decimal) -> None:
    assert parse_quantity(text) == value  # type: ignore[arg-type]


def test_parse_is_exact_where_floats_are_not() -> None:
    assert parse_quantity("0.1") * 3 == parse_quantity("300m")
    assert parse_quantity("100m") + parse_quantity("200m") == parse_quantity("0.3")
    assert parse_quantity("1.5Gi") == parse_quantity("1536Mi")
    big = parse_quantity("123456789012345678901234567890Ei")
    assert big == Decimal(
        123456789012345678901234567890 * 2**60
    )  # 48 digits, beyond float and default Decimal precision


GARBAGE = [
    "",
    "   ",
    "abc",
    "Gi",
    "m",
    "1.2.3",
    "1 Gi",
    "1e",
    "1e+",
    "1e1.5",
    "1KiB",
    "1ki",
    "1gi",
    "--1",
    "+-1",
    "1m1",
    "NaN",
    "Infinity",
    "inf",
    "0x10",
    "1_000",
    "1e9999999",
    "1e12345",
    "1" * 500,
    True,
    None,
    [],
    {},
    float("nan"),
    float("inf"),
    Decimal("NaN"),
]


@pytest.mark.parametrize("text", GARBAGE, ids=[repr(g)[:20] for g in GARBAGE])
def test_garbage_raises_value_error_and_try_gives_none(text: object) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text)  # type: ignore[arg-type]
    assert try_quantity(text) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("250m", "250m"),
        ("1.5", "1.5"),
        ("2", "2"),
        ("2000m", "2"),
        ("2400m", "2.4"),
        ("1250m", "1.25"),
        ("0", "0"),
        ("100u", "1m"),  # sub-millicore rounds up, like kubectl top
        ("12345678n", "13m"),
        ("1.2345", "1.235"),
        ("-500m", "-500m"),
        ("1e3", "1000"),
    ],
)
def test_format_cpu(value: str, text: str) -> None:
    assert format_cpu(parse_quantity(value)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("512Mi", "512Mi"),
        ("2Gi", "2Gi"),
        ("1.5Gi", "1.5Gi"),
        ("1536Mi", "1.5Gi"),
        ("500M", "476.8Mi"),
        ("1G", "953.7Mi"),
        ("100", "100"),
        ("1023", "1023"),
        ("1024", "1Ki"),
        ("0", "0"),
        ("3Ei", "3Ei"),
        ("4096Ei", "4096Ei"),
        ("-2Gi", "-2Gi"),
        ("1500m", "2"),  # fractional bytes: round up to a whole byte
    ],
)
def test_format_bytes(value: str, text: str) -> None:
    assert format_bytes(parse_quantity(value)) == text


@pytest.mark.parametrize(
    ("resource", "value", "text"),
    [
        ("cpu", "1500m", "1.5"),
        ("requests.cpu", "550m", "550m"),
        ("limits.cpu", "8", "8"),
        ("memory", "576Mi", "576Mi"),
        ("requests.memory", "8Gi", "8Gi"),
        ("limits.ephemeral-storage", "10Gi", "10Gi"),
        ("requests.storage", "100Gi", "100Gi"),
        ("hugepages-2Mi", "4Mi", "4Mi"),
        ("pods", "20", "20"),
        ("count/deployments.apps", "1e1", "10"),
        ("persistentvolumeclaims", "5", "5"),
    ],
)
def test_format_quantity_by_resource(resource: str, value: str, text: str) -> None:
    assert format_quantity(resource, parse_quantity(value)) == text


SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


@given(st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from(sorted(SUFFIX)))
def test_integer_with_suffix(n: int, suffix: str) -> None:
    assert parse_quantity(f"{n}{suffix}") == Decimal(n * SUFFIX[suffix])  # int math: exact


@given(st.integers(min_value=-(10**20), max_value=10**20), st.integers(min_value=-30, max_value=30))
def test_exponent_form(n: int, exp: int) -> None:
    assert parse_quantity(f"{n}e{exp}") == Decimal(n).scaleb(exp)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=9, min_value=-(10**12), max_value=10**12))
def test_plain_decimal_round_trips(value: Decimal) -> None:
    assert parse_quantity(format(value, "f")) == value


@given(st.integers(min_value=0, max_value=10**9))
def test_millicores(m: int) -> None:
    q = parse_quantity(f"{m}m")
    assert q * 1000 == m
    # formatting then parsing lands on the same millicore count
    assert parse_quantity(format_cpu(q)) * 1000 == m


@given(st.integers(min_value=0, max_value=2**70))
def test_format_bytes_reparses_close(n: int) -> None:
    text = format_bytes(Decimal(n))
    back = parse_quantity(text)
    # one decimal place of the chosen unit: within 5% (exact for exact multiples)
    assert abs(back - n) <= Decimal(n) * Decimal("0.05") + 1


@given(st.text(max_size=30))
def test_arbitrary_text_only_value_errors(text: str) -> None:
    try:
        value = parse_quantity(text)
    except ValueError:
        assert try_quantity(text) is None
    else:
        assert value.is_finite()
        assert try_quantity(text) == value


@given(st.text(alphabet="0123456789.+-eEkMGTPKimnu ", max_size=12))
def test_quantity_alphabet_only_value_errors(text: str) -> None:
    try:
        parse_quantity(text)
    except ValueError:
        pass


@given(st.from_type(object) | st.floats() | st.integers())
def test_try_quantity_never_raises(x: object) -> None:
    try_quantity(x)


_scaled = st.builds(
    lambda m, e: Decimal(m).scaleb(e), st.integers(-(10**40), 10**40), st.integers(-10_000, 10_000)
)


@given(st.decimals(allow_nan=False, allow_infinity=False) | _scaled)
def test_formatting_never_raises(value: Decimal) -> None:
    for resource in ("cpu", "memory", "pods"):
        text = format_quantity(resource, value)
        assert text
        assert len(text) < 60


def test_absurd_values_use_exponent_form() -> None:
    assert format_quantity("pods", parse_quantity("1e40")) == "1E+40"
    assert format_cpu(parse_quantity("1e10000")) == "1E+10000"
    assert format_bytes(parse_quantity("1e-10000")) == "1"
