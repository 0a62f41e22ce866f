"""Words that reached Indonesian pages in English or as codes: statistics labels, audit event labels,
export layouts."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from analysis.exports.models import ExportLayout, ExportRecord
from trialsite.audit import event_label


@pytest.mark.parametrize(
    ("msgid", "english"),
    [
        ("Negative ranks", "ranks"),
        ("Positive ranks", "ranks"),
        ("Ties", "Ties"),
        ("IQR", "IQR"),
        ("median (IQR)", "IQR"),
        ("Mdn = %(median)s, IQR %(q1)s–%(q3)s", "IQR"),
    ],
)
def test_statistics_labels_read_in_indonesian(msgid, english):
    with translation.override("id"):
        assert english not in gettext(msgid)


@pytest.mark.parametrize(("code", "indonesian"), [("insert", "dibuat"), ("update", "diubah"), ("delete", "dihapus")])
def test_audit_event_labels_read_as_words(code, indonesian):
    with translation.override("id"):
        assert event_label(code) == indonesian
    with translation.override("en"):
        assert event_label(code) != code


@pytest.mark.django_db
def test_the_export_history_shows_the_layout_label_not_its_code(client_for, study, coordinator):
    ExportRecord.objects.create(
        study=study, user=coordinator, file_format="csv", layout=ExportLayout.WIDE, deidentified=True,
        language="id", file_name="x.zip", sha256="0" * 64, size_bytes=1, manifest={},
    )  # fmt: skip
    page = client_for("coordinator").get(reverse("exports:export"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Lebar: satu baris per peserta" in page
    assert "· wide ·" not in page
