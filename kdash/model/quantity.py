"""Kubernetes resource quantities ("100m", "1.5", "2Gi", "500M", "1e3", "12Ki"), parsed exactly.

Quantities are kept as `Decimal` so that sums and ratios stay exact: `0.1 * 3` is `300m`, not
`0.30000000000000004`. The grammar follows k8s.io/apimachinery `resource.ParseQuantity`:

    <quantity> ::= <sign>? <digits>[.<digits>] <suffix>
    <suffix>   ::= "" | n | u | m | k | M | G | T | P | E | Ki | Mi | Gi | Ti | Pi | Ei | (e|E)<sign>?<digits>

No regular expressions: this runs for every container of every pod in the initial sync.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_HALF_UP, Context, Decimal, DecimalException

# Decimal-SI suffixes are powers of ten (applied by shifting the exponent, which is exact);
# binary-SI suffixes are powers of two (applied by an exact multiplication, see _EXACT_PREC).
_DECIMAL_SUFFIX: dict[str, int] = {
    "": 0,
    "n": -9,
    "u": -6,
    "m": -3,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_SUFFIX: dict[str, int] = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DIGITS = frozenset("0123456789")
# Longer inputs are not quantities any API server would accept; refusing them bounds the work.
_MAX_LEN = 200
# Exponents beyond this are refused rather than building enormous Decimals (Go's int64 scale
# bound is far larger, but no real resource is within a million orders of magnitude of it).
_MAX_EXPONENT = 10_000


def _split(text: str) -> tuple[str, str]:
    """Split "-1.5Gi" into ("-1.5", "Gi"); raise ValueError if the number part is malformed."""
    n = len(text)
    i = 0
    if i < n and text[i] in "+-":
        i += 1
    digits = 0
    dot = False
    while i < n:
        ch = text[i]
        if ch in _DIGITS:
            digits += 1
        elif ch == "." and not dot:
            dot = True
        else:
            break
        i += 1
    if digits == 0:
        raise ValueError(f"not a quantity: {text!r}")
    return text[:i], text[i:]


def _exponent(suffix: str, original: str) -> int:
    """The power of ten of an "e3"/"E-2" suffix."""
    body = suffix[1:]
    sign = 1
    if body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body or not all(ch in _DIGITS for ch in body) or len(body) > 6:
        raise ValueError(f"not a quantity: {original!r}")
    value = sign * int(body)
    if abs(value) > _MAX_EXPONENT:
        raise ValueError(f"quantity exponent out of range: {original!r}")
    return value


def parse_quantity(s: str | int | float | Decimal) -> Decimal:
    """Parse a Kubernetes quantity exactly; raise ValueError on anything that is not one.

    Ints and floats are accepted because YAML manifests write `cpu: 1` or `cpu: 0.5`; a float is
    taken at its shortest repr ("0.1"), not its binary expansion.
    """
    if isinstance(s, bool):
        raise ValueError(f"not a quantity: {s!r}")
    if isinstance(s, int):
        return Decimal(s)
    if isinstance(s, float):
        if not math.isfinite(s):
            raise ValueError(f"not a quantity: {s!r}")
        return Decimal(repr(s))
    if isinstance(s, Decimal):
        if not s.is_finite():
            raise ValueError(f"not a quantity: {s!r}")
        return s
    if not isinstance(s, str):
        raise ValueError(f"not a quantity: {s!r}")
    text = s.strip()
    if not text or len(text) > _MAX_LEN:
        raise ValueError(f"not a quantity: {s!r}")
    number, suffix = _split(text)
    try:
        value = Decimal(number)
    except DecimalException as exc:  # "1." and ".5" are fine for Decimal; this is belt and braces
        raise ValueError(f"not a quantity: {s!r}") from exc
    shift = _DECIMAL_SUFFIX.get(suffix)
    if shift is None:
        bits = _BINARY_SUFFIX.get(suffix)
        if bits is not None:
            sign, digits, exp = value.as_tuple()
            assert isinstance(exp, int)
            # Enough precision for every digit of the product: the multiplication is exact.
            ctx = Context(prec=len(digits) + 20)
            return ctx.multiply(value, Decimal(1 << bits))
        if suffix[:1] in ("e", "E"):
            shift = _exponent(suffix, s)
        else:
            raise ValueError(f"not a quantity: {s!r}")
    if shift == 0:
        return value
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    return Decimal((sign, digits, exp + shift))


def try_quantity(x: object) -> Decimal | None:
    """`parse_quantity`, or None for anything unparseable (never raises)."""
    if x is None:
        return None
    try:
        return parse_quantity(x)  # type: ignore[arg-type]
    except (ValueError, ArithmeticError, TypeError):
        return None


# Beyond this many digits either side of the point a number is not a real resource amount; it is
# shown in exponent form ("1E+40") rather than as a wall of digits (or a 10,000-digit int).
_PLAIN_DIGITS = 20


def _plain(value: Decimal) -> str:
    """A Decimal without exponent notation and without trailing zeros: 1.50 -> "1.5", 1E+3 -> "1000"."""
    if value and (
        not -_PLAIN_DIGITS <= value.adjusted() <= _PLAIN_DIGITS
        or int(value.normalize().as_tuple().exponent) < -_PLAIN_DIGITS  # more digits after the point
    ):
        return f"{value.normalize():E}"
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_number(value: Decimal) -> str:
    """A count such as pods or configmaps: "20", "2.5"."""
    if not value.is_finite():
        return str(value)
    return _plain(value)


def format_cpu(value: Decimal) -> str:
    """Cores as people write them: "250m" below one core, "1.5" or "2" above.

    Sub-millicore values round up to a whole millicore, as `kubectl top` does (MilliValue is a ceiling).
    """
    if not value.is_finite():
        return str(value)
    if value.adjusted() > _PLAIN_DIGITS:
        return _plain(value)
    sign = "-" if value < 0 else ""
    millis = int((abs(value) * 1000).to_integral_value(rounding=ROUND_CEILING))
    if millis == 0:
        return "0"
    if millis % 1000 == 0:
        return f"{sign}{millis // 1000}"
    if millis < 1000:
        return f"{sign}{millis}m"
    return sign + _plain(Decimal(millis).scaleb(-3))


_BINARY_UNITS = (("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10))
_TENTH = Decimal("0.1")


def format_bytes(value: Decimal) -> str:
    """Bytes in the largest binary unit that keeps the number at least 1: "512Mi", "2Gi", "1.5Gi".

    Exact multiples print without decimals; others are rounded to one decimal place.
    """
    if not value.is_finite():
        return str(value)
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    for unit, bits in _BINARY_UNITS:
        size = 1 << bits
        if magnitude >= size:
            scaled = magnitude / Decimal(size)
            if scaled != scaled.to_integral_value():
                # quantize needs the digits to fit the context: absurd sizes just drop the fraction
                if scaled.adjusted() < _PLAIN_DIGITS:
                    scaled = scaled.quantize(_TENTH, rounding=ROUND_HALF_UP)
                else:
                    scaled = scaled.to_integral_value(rounding=ROUND_HALF_UP)
            return f"{sign}{_plain(scaled)}{unit}"
    if magnitude != magnitude.to_integral_value():
        magnitude = magnitude.to_integral_value(rounding=ROUND_CEILING)
    return f"{sign}{_plain(magnitude)}"


_BYTE_RESOURCES = ("memory", "storage", "ephemeral-storage")


def is_cpu_resource(resource: str) -> bool:
    """ "cpu", "requests.cpu", "limits.cpu"."""
    return resource == "cpu" or resource.endswith(".cpu")


def is_byte_resource(resource: str) -> bool:
    """Memory, storage and hugepages, with or without a "requests."/"limits." quota prefix."""
    base = resource.rsplit(".", 1)[-1] if resource.startswith(("requests.", "limits.")) else resource
    return base in _BYTE_RESOURCES or base.startswith("hugepages-")


def format_quantity(resource: str, value: Decimal) -> str:
    """Format `value` the way its resource is usually read: cores, bytes, or a plain count."""
    if is_cpu_resource(resource):
        return format_cpu(value)
    if is_byte_resource(resource):
        return format_bytes(value)
    return format_number(value)
