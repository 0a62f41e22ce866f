"""Export long, import into an empty study with import_trial_data, analyse: the same data and results."""

import pytest
from django.core.management import call_command

from analysis.results import compute_results
from enrollment.models import Arm, Participant, Site, Study
from observations.models import Observation

pytestmark = pytest.mark.django_db

VOLATILE = ("study", "generated_at", "study_title")


@pytest.fixture
def empty_copy(export_study):
    """A study with the same settings, sites and arms as the demo study, and no participants."""
    copy = Study.objects.create(slug="roundtrip-copy", title_id="Salinan", title_en="Copy", n_days=export_study.n_days,
                                window_days=export_study.window_days)  # fmt: skip
    for site in export_study.sites.all():
        Site.objects.create(study=copy, code=site.code, name=site.name, order=site.order)
    for arm in export_study.arms.all():
        Arm.objects.create(
            study=copy, code=arm.code, label_id=arm.label_id, label_en=arm.label_en, order=arm.order,
            adherence=arm.adherence,
        )  # fmt: skip
    return copy


def export_long(slug, tmp_path, unzip, name):
    output = tmp_path / f"{name}.zip"
    call_command("export_dataset", "--format", "csv", "--layout", "long", "--study", slug,
                 "--user", "coordinator", "--output", str(output))  # fmt: skip
    return unzip(output)


def comparable(results: dict) -> dict:
    return {key: value for key, value in results.items() if key not in VOLATILE}


def test_export_import_analyse_gives_the_same_data_sha256_and_results(export_study, empty_copy, tmp_path, unzip):
    folder = export_long(export_study.slug, tmp_path, unzip, "original")
    call_command("import_trial_data", str(folder / "participants.csv"), str(folder / "observations.csv"),
                 "--study", empty_copy.slug, "--user", "coordinator")  # fmt: skip
    assert (
        Participant.objects.filter(study=empty_copy).count() == Participant.objects.filter(study=export_study).count()
    )
    assert Observation.objects.filter(participant__study=empty_copy).count() == (
        Observation.objects.filter(participant__study=export_study).count()
    )
    original, copied = compute_results(export_study), compute_results(empty_copy)
    assert original["groups"][0]["n_complete"] > 0
    assert copied["data_sha256"] == original["data_sha256"]
    assert comparable(copied) == comparable(original)


def test_exporting_the_imported_study_gives_the_same_files(export_study, empty_copy, tmp_path, unzip):
    first = export_long(export_study.slug, tmp_path, unzip, "first")
    call_command("import_trial_data", str(first / "participants.csv"), str(first / "observations.csv"),
                 "--study", empty_copy.slug, "--user", "coordinator")  # fmt: skip
    second = export_long(empty_copy.slug, tmp_path, unzip, "second")
    for name in ("participants.csv", "observations.csv", "codebook.csv"):
        assert (second / name).read_text(encoding="utf-8") == (first / name).read_text(encoding="utf-8")
