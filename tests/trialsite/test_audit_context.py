"""Queries are bound and prepared by the server, and every audited change still carries who and why.

The audit context comes as a statement of its own before each write (trialsite/db/audit_context.py),
not in front of the write in the same query, which a server-bound query cannot hold.
"""

import pghistory
import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from enrollment.models import Site
from trialsite import audit
from trialsite.db.audit_context import SET_CONTEXT


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_query_run_again_is_bound_and_planned_once_by_the_server(site_srp1):
    with connection.cursor() as cursor:
        assert not isinstance(cursor.cursor, psycopg.ClientCursor)
    for _ in range(6):  # psycopg prepares a statement on its fifth run on a connection
        Site.objects.filter(pk=site_srp1.pk).values_list("name", flat=True).get()
    assert any('FROM "enrollment_site" WHERE "enrollment_site"."id" = $1' in s for s in _prepared_statements())


@pytest.mark.django_db(transaction=True)
def test_a_change_outside_a_transaction_keeps_its_reason_and_user(site_srp1, coordinator):
    with pghistory.context(user=coordinator.pk), audit.reason("Official name corrected"):
        assert connection.get_autocommit()  # the write would be a transaction of its own
        site_srp1.name = "UPT Puskesmas Serpong 1"
        site_srp1.save(update_fields=["name"])
    last = audit.history_for(site_srp1)[-1]
    assert (last.reason, last.user) == ("Official name corrected", "coordinator")
    assert [(c.field, c.new) for c in last.changes] == [("name", "UPT Puskesmas Serpong 1")]
    assert connection.get_autocommit()


@pytest.mark.django_db(transaction=True)
def test_a_change_refused_outside_a_transaction_leaves_nothing_behind(site_srp1, site_par):
    before = len(audit.history_for(site_par))
    with pytest.raises(IntegrityError), audit.reason("duplicate code"):
        Site.objects.filter(pk=site_par.pk).update(code=site_srp1.code)
    assert len(audit.history_for(site_par)) == before
    assert connection.get_autocommit()
    assert not connection.needs_rollback


@pytest.mark.django_db
def test_a_reason_given_later_in_a_transaction_reaches_the_changes_after_it(site_srp1, site_par):
    with transaction.atomic(), audit.reason("first"):
        Site.objects.filter(pk=site_srp1.pk).update(name="Serpong Satu")
        with audit.reason("second", ticket="12"):
            Site.objects.filter(pk=site_par.pk).update(name="Pondok Aren Satu")
    assert audit.history_for(site_par)[-1].reason == "second"
    assert audit.history_for(site_srp1)[-1].reason in ("first", "second")  # one context: pghistory keeps the last


@pytest.mark.django_db
def test_the_context_is_its_own_statement_before_each_write_and_never_before_a_read(site_srp1):
    sent = []

    def spy(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with audit.reason("typo"), connection.execute_wrapper(spy), CaptureQueriesContext(connection):
        list(Site.objects.filter(pk=site_srp1.pk))
        with transaction.atomic():
            Site.objects.filter(pk=site_srp1.pk).update(name="Serpong Satu")
    assert all(";" not in sql for sql in sent)  # one statement a query
    assert not any(SET_CONTEXT in sql for sql in sent)  # set on the cursor itself, not added to the query
    assert audit.history_for(site_srp1)[-1].reason == "typo"


@pytest.mark.django_db
def test_a_change_with_no_context_is_recorded_without_one(site_srp1):
    Site.objects.filter(pk=site_srp1.pk).update(name="Serpong Satu")
    last = audit.history_for(site_srp1)[-1]
    assert (last.reason, last.user) == ("", None) or (last.reason is None and last.user is None)
