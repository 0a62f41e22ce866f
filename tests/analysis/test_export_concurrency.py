"""An export reads one snapshot of the study, yet logs itself on the audit trail as it is now."""

import threading

import pytest
from django.db import connection

from analysis.exports import services
from analysis.exports.services import ExportOptions, export_bundle
from trialsite import audit
from trialsite.auditchain import verify_chain


def rename_a_site_elsewhere(study) -> None:
    """Another user's audited change, committed from another database session."""

    def change() -> None:
        try:
            site = study.sites.get(code="PAR")
            site.name = f"{site.name} (renamed)"
            with audit.reason("a change made while the export ran"):
                site.save()
        finally:
            connection.close()

    thread = threading.Thread(target=change)
    thread.start()
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_an_export_logs_itself_after_others_wrote_to_the_audit_trail_during_it(study, cast, tmp_path, monkeypatch):
    writes = services.write_tables

    def write_while_someone_saves(*args, **kwargs):
        files = writes(*args, **kwargs)
        rename_a_site_elsewhere(study)
        return files

    monkeypatch.setattr(services, "write_tables", write_while_someone_saves)
    record, path = export_bundle(
        study=study, by=cast["coordinator"], options=ExportOptions("csv", "long", False), folder=tmp_path
    )

    assert path.exists()
    event = record.events.get()
    assert event.pgh_context.metadata["reason"] == f"export {path.name}"
    assert study.sites.get(code="PAR").name.endswith("(renamed)")
    report = verify_chain()
    assert report.intact, (report.first_broken, report.problem)
