"""Generated bad input: every example is rejected with a field error, no row changes, no server error."""

import string
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observations.models import Observation

pytestmark = pytest.mark.django_db
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

garbage = st.text(alphabet=string.ascii_letters + "!@#$%&*", min_size=1, max_size=12)
outside_count = st.one_of(st.integers(max_value=-1), st.integers(min_value=41, max_value=10**6))
BAD = {
    "feeds_24h": st.one_of(outside_count, garbage),
    "wet_diapers_24h": st.one_of(outside_count, garbage),
    "sleep_after_feed_hours": st.one_of(st.sampled_from(["0.3", "1.25", "2.7", "24.5", "-1", "100"]), garbage),
    "expressed_volume_ml": st.one_of(st.integers(min_value=2001, max_value=10**6), st.integers(max_value=-1)),
    "infant_weight_g": st.one_of(st.integers(max_value=999), st.integers(min_value=8001, max_value=10**6)),
    "observed_on": st.one_of(garbage, st.sampled_from(["2026-02-30", "31-12-2026", "future", "before"])),
    "adherence": garbage,
    "missing_reason": garbage,
}
bad_fields = st.dictionaries(st.sampled_from(sorted(BAD)), st.none(), min_size=1, max_size=3).flatmap(
    lambda chosen: st.fixed_dictionaries({name: BAD[name] for name in chosen})
)


def resolve(values: dict, participant, today) -> dict:
    """Replace the symbolic dates by dates that break the schedule rules."""
    symbolic = {
        "future": (today + timedelta(days=1)).isoformat(),
        "before": (participant.intervention_start - timedelta(days=1)).isoformat(),
    }
    return {k: symbolic.get(v, v) if isinstance(v, str) else v for k, v in values.items()}


@EXAMPLES
@given(bad=bad_fields)
def test_the_form_rejects_generated_bad_input(client_for, participant, good_values, today, bad):
    client = client_for("midwife.srp1")
    bad = resolve(bad, participant, today)
    data = {"idempotency_key": str(uuid.uuid4()), **good_values(participant, 4), **bad}
    response = client.post(reverse("observations:form", args=[participant.pk, 4]), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) & set(bad), response.context["form"].errors
    assert Observation.objects.count() == 0


@EXAMPLES
@given(bad=bad_fields)
def test_the_api_rejects_generated_bad_input(client_for, participant, good_values, today, bad):
    client = client_for("midwife.srp1")
    bad = resolve(bad, participant, today)
    data = {
        "participant": participant.pk,
        "day": 4,
        **good_values(participant, 4),
        "breast_full_then_soft": True,
        **bad,
    }
    response = client.post("/api/v1/observations/", data, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) & set(bad), response.json()
    assert Observation.objects.count() == 0


@EXAMPLES
@given(bad=bad_fields)
def test_a_correction_with_bad_input_changes_nothing(client_for, participant, record, today, good_values, bad):
    obs = Observation.objects.filter(participant=participant, day=1).first() or record(participant, 1)
    before = Observation.objects.values().get(pk=obs.pk)
    bad = resolve(bad, participant, today)
    response = client_for("midwife.srp1").patch(
        f"/api/v1/observations/{obs.pk}/", {**bad, "version": obs.version, "reason": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert set(response.json()) & set(bad), response.json()
    assert Observation.objects.values().get(pk=obs.pk) == before
