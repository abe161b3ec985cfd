"""Numbers as a Vietnamese reader writes them: a decimal comma, and no decimals a whole number does not need."""

from decimal import Decimal

from django.utils import formats


def percent(value) -> str:
    """Return ``value`` as a percentage in the active language: "50%", "66,67%" in Vietnamese ("66.67%" in English)."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return f"{formats.number_format(value, decimal_pos=places)}%"
