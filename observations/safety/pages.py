"""What the safety app's page modules (adverse events, queries and SDV, deviations) share."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect

PAGE_SIZE = 50


def page_of(rows, number, size: int = PAGE_SIZE):
    """One page of ``rows``. Its rows are always fetched (an empty page too), so a page costs the same
    number of queries whether the register is empty or not."""
    page = Paginator(rows, size).get_page(number)
    page.object_list = list(rows[(page.number - 1) * size : page.number * size])
    return page


def error_dict(exc: ValidationError) -> dict:
    """A service's refusal as form errors by field (``__all__`` when it names no field)."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def acted(request, action: Callable[[], object], *, success: str, to: str, **to_kwargs) -> HttpResponse:
    """Run ``action`` (the one service call behind a button) and redirect to ``to``: a refusal
    (ValidationError) is shown as an error message, otherwise ``success``."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(to, **to_kwargs)
