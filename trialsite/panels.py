"""Panels: what an app higher up shows on a page of an app below it, without the lower app naming it.

A page of a lower app names a slot, ``{% load panels %}{% panels "today" %}`` (arguments follow the
slot's name: ``{% panels "day_form" participant day %}``). An app above contributes to the slot
from its ``AppConfig.ready`` with :func:`contribute`. Imports and template loads so point one way
(docs/structure.md): the page renders whatever was contributed, in that order, and nothing when no
app contributes. Only the slots in ``SLOTS`` exist, so a mistyped name fails at start-up.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

# slot -> where it is on the page and what the page passes to it.
SLOTS = {
    "home": "home page, below the role (no arguments)",
    "today": "Today, above the worklist (no arguments)",
    "day_form": "the daily form, below its heading (participant, day)",
    "participant": "a participant's page and timeline, below the actions (participant)",
    "timeline_day": "each day of the timeline, beside its buttons (participant, timeline item)",
}


@dataclass(frozen=True)
class Panel:
    """A template and the function giving its context: ``context(page_context, *slot_arguments) -> dict``."""

    template_name: str
    context: Callable[..., dict]


_contributed: dict[str, list[Panel]] = {slot: [] for slot in SLOTS}


def contribute(slot: str, template_name: str, context: Callable[..., dict]) -> None:
    """Show ``template_name`` in ``slot`` with the context ``context`` returns. Call from ``AppConfig.ready``."""
    if slot not in SLOTS:
        raise ImproperlyConfigured(f"No panel slot {slot!r}; the slots are {', '.join(SLOTS)}.")
    panel = Panel(template_name, context)
    if panel not in _contributed[slot]:  # ready() may run more than once (tests, management commands)
        _contributed[slot].append(panel)


def panels_in(slot: str) -> tuple[Panel, ...]:
    """The panels contributed to ``slot``, in the order they were contributed."""
    return tuple(_contributed[slot])
