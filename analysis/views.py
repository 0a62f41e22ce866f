"""Pages: the results dashboard (with its live fragment), the masking/lock actions, the report and its PDF."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import Context, context_processors
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analysis import dashboard, masking, narrative, pdf, plans, presentation, presentation_plan
from analysis.forms import SettingsAction, SettingsActionForm
from enrollment.access import get_study_for_user
from enrollment.control import control_for
from observations.safety import summary as safety_summary
from trialsite.decorators import capability_required
from trialsite.roles import Capability, can

SETTINGS_SERVICES = {
    SettingsAction.MASK: lambda **kw: masking.set_outcome_masking(masked=True, **kw),
    SettingsAction.UNMASK: lambda **kw: masking.set_outcome_masking(masked=False, **kw),
    SettingsAction.LOCK: masking.lock_database,
    SettingsAction.UNLOCK: masking.unlock_database,
}


def _context(request, *, wait: bool = True, newer_than: str | None = None, study=None) -> dict | None:
    """The study (``study``, when the view already loaded it through the access helper), population
    and cached bundle every results page renders.

    None while another request computes it (``wait=False``), and when its data is not ``newer_than``
    the fingerprint a poller holds.
    """
    study = study or get_study_for_user(request.user, request.GET.get("study"))
    population = dashboard.population_or_default(request.GET.get("population"))
    masked = masking.outcome_masked_for(request.user, study)
    bundle = dashboard.dashboard_bundle(study, population=population, masked=masked, wait=wait)
    if bundle is None or (newer_than is not None and not dashboard.newer(bundle["fingerprint"], than=newer_than)):
        return None
    return {
        "study": study,
        "population": population,
        "populations": dashboard.POPULATIONS,
        "poll_seconds": dashboard.POLL_SECONDS,
        "settings": control_for(study),
        "can_manage": can(request.user, Capability.MANAGE_MASKING_AND_LOCK),
        "plan_locked": plans.has_locked_plan(study),
        "narrative": narrative.both_languages(bundle["result"], masked=masked),
        "chart": presentation.chart_data(bundle["result"]),
        "daily_rows": presentation.daily_rows(bundle["result"]),
        "time_points": presentation.TIME_POINTS,
        "pooled_points": presentation.POOLED_POINTS,
        "comparisons": presentation.COMPARISONS,
        **_plan_context(bundle["result"]),
        **bundle,
    }


def _plan_context(result: dict) -> dict:
    """The analyses of the plan, its notice and amendments, in the page language (also for the PDF)."""
    return {
        "planned": presentation_plan.planned_rows(result),
        "plan_notice": presentation_plan.plan_notice(result),
        "plan_line": presentation_plan.plan_line(result),
        "normality_text": presentation_plan.normality_text(result),
        "amendments": presentation_plan.amendment_rows(result),
    }


LIVE_SECTIONS = ("summary", "flow", "completeness", "baseline", "outcomes", "daily", "narrative")


def _with_sections(request, context: dict, *, report: bool = False) -> dict:
    """``context`` plus its results rendered section by section, each with a digest of its HTML.

    The live poll sends the digests it holds back (``sections=name.digest,…``), so that after a
    change only the sections whose HTML changed are sent (htmx out-of-band swaps).
    """
    context = {**context, "report": report}
    template = get_template("analysis/_results_section.html").template
    # A plain Context with what the sections use: the page's context processors (navigation, alert
    # badges) would run again, with their queries, for every section.
    base = {**context_processors.request(request), **context_processors.i18n(request), **context}
    sections = []
    for name in LIVE_SECTIONS:
        html = template.render(Context({**base, "section": name}))
        sections.append((name, hashlib.sha256(html.encode()).hexdigest()[:12], html))
    hashes = ",".join(f"{name}.{digest}" for name, digest, _html in sections)
    return {**context, "sections": sections, "section_hashes": hashes}


def _held_sections(request) -> dict[str, str]:
    """The section digests the poller holds: {} when it sent none (it gets the whole fragment)."""
    pairs = (item.partition(".") for item in request.GET.get("sections", "").split(",") if item)
    return {name: digest for name, _dot, digest in pairs}


@require_GET
@capability_required(Capability.READ_RESULTS)
def dashboard_page(request):
    context = _with_sections(request, _context(request))
    context["action_forms"] = {action: SettingsActionForm(initial={"action": action}) for action in SettingsAction}
    context |= safety_summary.dashboard_context(request.user, context["study"], masked=context["masked"])
    return render(request, "analysis/dashboard.html", context)


@require_GET
@capability_required(Capability.READ_RESULTS)
def dashboard_live(request):
    """The results fragment for htmx polling.

    204 (htmx swaps nothing) while the data fingerprint is unchanged, while another request is
    computing the new results, and while the results computed last (less than a poll interval ago,
    ``dashboard.POLL_SECONDS``) are those the poller holds: the next poll picks the change up. After
    a change, a poller that sent the digests of its sections gets a new poller and only the sections
    that changed.
    """
    study = get_study_for_user(request.user, request.GET.get("study"))  # 404 before revealing anything
    held = request.GET.get("fingerprint", "")
    if held == dashboard.data_fingerprint():
        return HttpResponse(status=204)
    context = _context(request, wait=False, newer_than=held, study=study)
    if context is None:
        return HttpResponse(status=204)
    context = _with_sections(request, context)
    held = _held_sections(request)
    if not held:
        return render(request, "analysis/_results.html", {**context, "live": True})
    changed = [section for section in context["sections"] if held.get(section[0]) != section[1]]
    return render(request, "analysis/_live_changes.html", {**context, "changed": changed})


@require_POST
@capability_required(Capability.MANAGE_MASKING_AND_LOCK)
def settings_action(request):
    study = get_study_for_user(request.user, request.POST.get("study"), write=True)
    form = SettingsActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect(reverse("analysis:dashboard"))
    service = SETTINGS_SERVICES[SettingsAction(form.cleaned_data["action"])]
    try:
        service(study=study, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Saved: %(action)s.") % {"action": SettingsAction(form.cleaned_data["action"]).label}
        )
    return redirect(reverse("analysis:dashboard"))


@require_GET
@capability_required(Capability.READ_RESULTS)
def report(request):
    return render(request, "analysis/report.html", _with_sections(request, _context(request), report=True))


@require_GET
@capability_required(Capability.READ_RESULTS)
def report_pdf(request):
    context = _context(request)
    response = HttpResponse(pdf.render_report(context), content_type="application/pdf")
    filename = f"trialsite-{context['study'].slug}-{context['result']['data_sha256'][:12]}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
