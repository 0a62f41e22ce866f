"""Numbers as the reader's language writes them: "2,5" in Indonesian, "2.5" in English.

Every number a page, the PDF or the results text shows goes through here (the decimal separator
comes from the active language's format, trialsite/formats). Exports and the JSON API keep the
decimal point: numbers there are numbers, and the sentences they carry (the analysis warnings) are
written inside :func:`machine_numbers`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.formats import get_format

_machine = ContextVar("machine_numbers", default=False)


@contextmanager
def machine_numbers() -> Iterator[None]:
    """Inside it, numbers are written with a decimal point whatever the language (the words stay
    translated): for what files and the JSON API carry."""
    token = _machine.set(True)
    try:
        yield
    finally:
        _machine.reset(token)


def decimal_separator() -> str:
    return "." if _machine.get() else get_format("DECIMAL_SEPARATOR")


def written(text: str) -> str:
    """A number already written with a decimal point (``"3.25"``, ``"< .001"``), in the active language."""
    return text.replace(".", decimal_separator())


def decimal(value: float, places: int) -> str:
    """``value`` with ``places`` decimals in the active language: ``decimal(29.66, 1)`` → "29,7" in Indonesian."""
    return written(f"{value:.{places}f}")


def significant(value: float, digits: int, *, floor: float = 0.0001) -> str:
    """``value`` to ``digits`` significant digits in the active language, never in exponent form.

    For numbers quoted in sentences (p-values and alpha in warnings): ``significant(0.00335, 4)`` →
    "0,00335" in Indonesian; a positive value below ``floor`` reads "< 0,0001" rather than "2.72e-27".
    """
    if 0 < value < floor:
        return "< " + written(f"{floor:f}".rstrip("0"))
    return written(f"{value:.{digits}g}" if abs(value) >= floor else "0")
