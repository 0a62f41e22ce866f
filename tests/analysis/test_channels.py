"""Every channel tells the same numbers, on generated studies.

Hypothesis builds studies with withdrawals, losses to follow-up, missing pre or post days,
out-of-window days, exclusions and participants imported without a screening record; for both
populations and for a masked and an unmasked viewer, the flow diagram's analysed n, the
tables' n, the JSON API's n and the PDF's n agree per arm, and the flow's boxes add up.
"""

import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from analysis import masking
from analysis.frames import POPULATIONS

from .conftest import RESULTS_START

pytestmark = pytest.mark.django_db

DAYS = range(1, 8)
person = st.fixed_dictionaries(
    {
        "arm": st.sampled_from(("moringa", "oxytocin_massage")),
        "scores": st.dictionaries(st.sampled_from(DAYS), st.integers(1, 5), max_size=7),
        "late": st.sets(st.sampled_from((1, 7)), max_size=1),
        "left": st.sampled_from((None, "withdrawn_on", "lost_on")),
        "left_day": st.integers(1, 7),
        "excluded": st.booleans(),
    }
)
studies = st.lists(person, min_size=1, max_size=12)
CHANNEL_SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _build(people, enrol_with_scores, arms):
    for index, p in enumerate(people):
        status = {"excluded": p["excluded"]}
        if p["left"]:
            status[p["left"]] = RESULTS_START + timedelta(days=p["left_day"] - 1)
        enrol_with_scores(arms[p["arm"]], f"G-{index:02d}", p["scores"], late=p["late"] & set(p["scores"]), **status)


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
    flow = {arm["code"]: arm["analysed"] for arm in context["flow"]["arms"]}
    if context["masked"]:
        tables = {"pooled": context["result"]["pooled"]["n_complete"]}
        json = {"pooled": api["pooled"]["n_complete"]}
        flow_total = {"pooled": sum(flow.values())}
        return {
            "flow": flow_total,
            "table": tables,
            "json": json,
            "pdf": {"pooled": sum(_pdf_analysed(client, query, labels).values())},
        }
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
    for arm in flow["arms"]:
        assert arm["allocated"] == arm["active"] + arm["completed"] + arm["withdrawn"] + arm["lost_to_follow_up"]
        assert arm["allocated"] == arm["analysed"] + arm["not_analysed"]
        assert arm["not_analysed"] == sum(reason["count"] for reason in arm["not_analysed_reasons"])


@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
def test_flow_tables_json_and_pdf_agree_on_generated_studies(
    masked, study, cast, coordinator, client_for, enrol_with_scores, arm_moringa, arm_massage
):
    arms = {"moringa": arm_moringa, "oxytocin_massage": arm_massage}
    labels = {arm.code: arm.label_en for arm in arms.values()}
    if masked:
        masking.set_outcome_masking(study=study, masked=True, by=coordinator, reason="Blinded until lock")
    client = client_for("investigator")
    client.cookies["django_language"] = "en"

    @CHANNEL_SETTINGS
    @given(people=studies)
    def check(people):
        with transaction.atomic():
            _build(people, enrol_with_scores, arms)
            cache.clear()
            for population in POPULATIONS:
                channels = _channels(client, population, labels)
                assert channels["flow"] == channels["table"] == channels["json"] == channels["pdf"], channels
                flow = client.get(reverse("analysis:dashboard") + f"?population={population}").context["flow"]
                assert flow["population"] == population
                _flow_adds_up(flow)
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
