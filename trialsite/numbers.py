"""Numbers as the reader's language writes them: "2,5" in Indonesian, "2.5" in English.

Every number a page, the PDF or the results text shows goes through here (the decimal separator
comes from the active language's format, trialsite/formats). Exports and the JSON API keep the
decimal point: they never call this.
"""

from django.utils.formats import get_format


def decimal_separator() -> str:
    return get_format("DECIMAL_SEPARATOR")


def written(text: str) -> str:
    """A number already written with a decimal point (``"3.25"``, ``"< .001"``), in the active language."""
    return text.replace(".", decimal_separator())


def decimal(value: float, places: int) -> str:
    """``value`` with ``places`` decimals in the active language: ``decimal(29.66, 1)`` → "29,7" in Indonesian."""
    return written(f"{value:.{places}f}")
