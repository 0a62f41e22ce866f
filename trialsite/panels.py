"""Panels: what an app higher up shows on a page of an app below it, without the lower app naming it.

A page of a lower app names a slot, ``{% load panels %}{% panels "today" %}`` (arguments follow the
slot's name: ``{% panels "day_form" participant day %}``). An app above contributes to the slot
from its ``AppConfig.ready`` with :func:`contribute`. Imports and template loads so point one way
(docs/structure.md): the page renders whatever was contributed, in that order, and nothing when no
app contributes. Only the slots in ``SLOTS`` exist, so a mistyped name fails at start-up.

A panel shown many times on a page (each day of the timeline) may be written by a function instead of
a template (:func:`contribute_written`): a template render per row costs a tenth of a millisecond and more.
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
    """A template and the function giving its context: ``context(page_context, *slot_arguments) -> dict``;
    or, with no template, ``write(page_context, *slot_arguments) -> SafeString``, the panel's markup."""

    template_name: str
    context: Callable[..., dict] | None = None
    write: Callable[..., str] | None = None

    @property
    def source(self) -> str:
        """Where the panel comes from: its template, or the module and name of the function writing it."""
        return self.template_name or f"{self.write.__module__}.{self.write.__qualname__}"


_contributed: dict[str, list[Panel]] = {slot: [] for slot in SLOTS}


def contribute(slot: str, template_name: str, context: Callable[..., dict]) -> None:
    """Show ``template_name`` in ``slot`` with the context ``context`` returns. Call from ``AppConfig.ready``."""
    _add(slot, Panel(template_name, context))


def contribute_written(slot: str, write: Callable[..., str]) -> None:
    """Show what ``write(page_context, *slot_arguments)`` returns (safe, escaped markup) in ``slot``."""
    _add(slot, Panel("", write=write))


def _add(slot: str, panel: Panel) -> None:
    if slot not in SLOTS:
        raise ImproperlyConfigured(f"No panel slot {slot!r}; the slots are {', '.join(SLOTS)}.")
    if panel not in _contributed[slot]:  # ready() may run more than once (tests, management commands)
        _contributed[slot].append(panel)


def panels_in(slot: str) -> tuple[Panel, ...]:
    """The panels contributed to ``slot``, in the order they were contributed."""
    return tuple(_contributed[slot])
