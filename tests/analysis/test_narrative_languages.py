"""Each paragraph of the results text names the arms in its own language, whatever the page's."""

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import narrative
from analysis.results import compute_results

pytestmark = pytest.mark.django_db

# Letters no word of the paragraphs is made of: a label "ANCOVA" is found in both languages' text.
word = st.text(alphabet="JQXZ", min_size=6, max_size=10)
# Four labels none of which holds another ("AAAAAA" inside "AAAAAAA" would be found in the wrong paragraph).
four_labels = st.lists(word, min_size=4, max_size=4, unique=True).filter(
    lambda labels: not any(a in b for a in labels for b in labels if a != b)
)


def _paragraphs(blocks: list[dict]) -> dict[str, str]:
    return {block["code"]: block["methods"] + " " + block["results"] for block in blocks}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=four_labels, page=st.sampled_from(["id", "en"]))
def test_each_paragraph_uses_only_its_own_languages_arm_labels(known_dataset, study, labels, page):
    # labels: moringa (id, en), massage (id, en)
    for arm, (label_id, label_en) in zip(study.arms.order_by("order"), (labels[:2], labels[2:]), strict=True):
        arm.label_id, arm.label_en = label_id, label_en
        arm.save()
    with translation.override(page):
        text = _paragraphs(narrative.both_languages(compute_results(study), masked=False))
    own = {"id": [labels[0], labels[2]], "en": [labels[1], labels[3]]}
    for code, paragraph in text.items():
        other = own["en" if code == "id" else "id"]
        assert all(label in paragraph for label in own[code]), (code, paragraph)
        assert not any(label in paragraph for label in other), (code, paragraph)


def test_the_dashboard_in_indonesian_writes_the_english_paragraph_with_english_labels(
    known_dataset, client_for, arm_moringa
):
    blocks = client_for("investigator").get(reverse("analysis:dashboard")).context["narrative"]
    paragraphs = _paragraphs(blocks)
    assert arm_moringa.label_en in paragraphs["en"]
    assert arm_moringa.label_id not in paragraphs["en"]
    assert arm_moringa.label_id in paragraphs["id"]
