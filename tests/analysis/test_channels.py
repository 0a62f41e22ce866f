"""Every channel tells the same numbers, on generated studies.

Hypothesis builds studies (tests/studies.py) of participants enrolled through the services and
imported without a screening record, with withdrawals and losses to follow-up on random days,
missing pre or post days, out-of-window days, exclusions from every population or per protocol
only, mothers screened and not eligible and mothers eligible but not enrolled. For both
populations and for a masked and an unmasked viewer, the flow diagram's analysed n, the tables'
n, the JSON API's n and the PDF's n agree per arm (all arms together for a masked viewer, whose flow counts
what followed allocation pooled), and the flow's boxes add up and match the plan.
"""

import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from pypdf import PdfReader

from analysis import masking
from analysis.frames import POPULATIONS
from enrollment.models import ParticipantStatus
from observations.services import local_today
from tests.studies import EVERY_KIND, Cast, build_study, study_plans

pytestmark = pytest.mark.django_db

# Few examples, always the same ones (derandomize): each builds a study through the services and
# reads four channels for two populations, about two seconds an example.
CHANNEL_SETTINGS = settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _pdf_analysed(client, query: str, labels: dict[str, str]) -> dict[str, int]:
    """Per arm code, the analysed n of the PDF's participant-flow table (its last column)."""
    content = client.get(reverse("analysis:report_pdf") + query).content
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
    found = {}
    for code, label in labels.items():
        match = re.search(re.escape(label) + r" (\d+) (\d+) (\d+) (\d+) (\d+)", text)
        found[code] = int(match.group(5))
    return found


def _channels(client, population: str, labels: dict[str, str]) -> dict:
    query = f"?population={population}"
    context = client.get(reverse("analysis:dashboard") + query).context
    api = client.get(f"/api/v1/analysis/{query}").json()
    if context["masked"]:  # what followed allocation is counted for all arms together
        return {
            "flow": {"pooled": context["flow"]["pooled"]["analysed"]},
            "table": {"pooled": context["result"]["pooled"]["n_complete"]},
            "json": {"pooled": api["pooled"]["n_complete"]},
            "pdf": _pdf_analysed(client, query, {"pooled": "All arms"}),
        }
    flow = {arm["code"]: arm["analysed"] for arm in context["flow"]["arms"]}
    return {
        "flow": flow,
        "table": {g["code"]: g["n_complete"] for g in context["result"]["groups"]},
        "json": {g["code"]: g["n_complete"] for g in api["groups"]},
        "pdf": _pdf_analysed(client, query, labels),
    }


def _flow_adds_up(flow: dict) -> None:
    eligible_enrolled = flow["eligible"] - flow["eligible_not_enrolled"]
    assert flow["screened"] - flow["ineligible"] - flow["eligible_not_enrolled"] == eligible_enrolled
    assert flow["enrolled"] == eligible_enrolled + flow["enrolled_without_screening"]
    assert flow["enrolled"] == sum(arm["allocated"] for arm in flow["arms"])
    for arm in [flow["pooled"]] if flow["pooled"] else flow["arms"]:
        assert arm["allocated"] == arm["active"] + arm["completed"] + arm["withdrawn"] + arm["lost_to_follow_up"]
        assert arm["allocated"] == arm["analysed"] + arm["not_analysed"]
        assert arm["not_analysed"] == sum(reason["count"] for reason in arm["not_analysed_reasons"])


def _flow_matches_the_plan(flow: dict, plan: dict) -> None:
    people = plan["people"]
    enrolled = [p for p in people if p["route"] == "services"]
    assert flow["screened"] == plan["ineligible"] + plan["not_enrolled"] + len(enrolled)
    assert (flow["ineligible"], flow["eligible_not_enrolled"]) == (plan["ineligible"], plan["not_enrolled"])
    assert flow["enrolled_without_screening"] == len(people) - len(enrolled)
    for status, box in (
        (ParticipantStatus.WITHDRAWN, "withdrawn"),
        (ParticipantStatus.LOST_TO_FOLLOW_UP, "lost_to_follow_up"),
    ):
        planned = Counter(p["arm"] for p in people if p["left"] == status)
        if flow["pooled"]:
            assert flow["pooled"][box] == planned.total(), box
        else:
            assert {arm["code"]: arm[box] for arm in flow["arms"] if arm[box]} == dict(planned), box


@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
def test_flow_tables_json_and_pdf_agree_on_generated_studies(masked, study, cast, coordinator, client_for):
    arms = {arm.code: arm for arm in study.arms.all()}
    labels = {arm.code: arm.label_en for arm in arms.values()}
    if masked:
        masking.set_outcome_masking(study=study, masked=True, by=coordinator, reason="Blinded until lock")
    client = client_for("investigator")
    client.cookies["django_language"] = "en"
    at = Cast(study=study, by=coordinator, latest_start=local_today() - timedelta(days=10))

    @CHANNEL_SETTINGS
    @given(plan=study_plans)
    @example(plan=EVERY_KIND)
    def check(plan):
        with transaction.atomic():
            build_study(plan, at)
            cache.clear()
            for population in POPULATIONS:
                channels = _channels(client, population, labels)
                assert channels["flow"] == channels["table"] == channels["json"] == channels["pdf"], channels
                flow = client.get(reverse("analysis:dashboard") + f"?population={population}").context["flow"]
                assert flow["population"] == population
                _flow_adds_up(flow)
                _flow_matches_the_plan(flow, plan)
            transaction.set_rollback(True)

    check()


def test_imported_participants_get_their_own_flow_box(known_dataset, client_for):
    body = client_for("investigator").get(reverse("analysis:dashboard")).content.decode()
    assert 'data-testid="flow-without-screening"' in body
    flow = client_for("investigator").get(reverse("analysis:dashboard")).context["flow"]
    assert flow["enrolled_without_screening"] == flow["enrolled"] == 12


def test_a_participant_without_a_pretest_is_not_analysed_in_the_flow_either(
    known_dataset, enrol_with_scores, arm_moringa, client_for
):
    enrol_with_scores(arm_moringa, "M-99", {7: 4})  # completed the days, pretest missing
    context = client_for("investigator").get(reverse("analysis:dashboard")).context
    moringa = next(arm for arm in context["flow"]["arms"] if arm["code"] == "moringa")
    group = next(g for g in context["result"]["groups"] if g["code"] == "moringa")
    assert moringa["analysed"] == group["n_complete"] == 6
    assert [(r["reason"], r["count"]) for r in moringa["not_analysed_reasons"]] == [("missing_pre", 1)]


def test_the_masked_result_has_the_same_header_as_the_unmasked_one(known_dataset, study, coordinator, client_for):
    unmasked = client_for("investigator").get("/api/v1/analysis/").json()
    masking.set_outcome_masking(study=study, masked=True, by=coordinator, reason="Blinded until lock")
    masked = client_for("investigator").get("/api/v1/analysis/").json()
    assert set(unmasked) - set(masked) == set()
    assert masked["study_title"] == unmasked["study_title"]
    assert (masked["masked"], unmasked["masked"]) == (True, False)
    assert masked["groups"] == []
    assert masked["mann_whitney"] == {}
