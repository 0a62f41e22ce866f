"""How PostgreSQL builds the export: pseudonyms once per participant, the wide pivot in SQL."""

import csv
import json

import pytest
from django.db import connection

from analysis.exports import columns
from analysis.exports.queries import Scope, observations_sql
from analysis.exports.services import ExportOptions, build_tables
from analysis.exports.writers import write_csv_table
from enrollment.models import Participant
from observations.models import Observation
from tests.analysis import shared_export

pytestmark = pytest.mark.django_db


# One export study for the module, built once; each test's writes are rolled back after it.
study, cast, export_study = shared_export.study, shared_export.cast, shared_export.export_study


def plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def outputs_sha256(node: dict) -> bool:
    return any("sha256" in item for item in node.get("Output", []))


# Whatever join PostgreSQL picks: a nested loop rescans its inner side once per outer row.
PLANNERS = {
    "default": [],
    "nested loop": ["SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off"],
    "no materialize": ["SET LOCAL enable_material = off", "SET LOCAL enable_hashjoin = off"],
}


@pytest.mark.parametrize("planner", PLANNERS)
def test_pseudonyms_are_computed_once_per_participant_not_per_observation(export_study, planner):
    variables = columns.observation_variables(deidentified=True)
    sql, params = observations_sql(variables, Scope(export_study.pk, export_study.slug, None, True))
    with connection.cursor() as cursor:
        for setting in PLANNERS[planner]:
            cursor.execute(setting)
        cursor.execute(f"EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    # EXPLAIN prints a passed-up value as the expression that made it: the node that computes the
    # pseudonym is the one that outputs it while none of its children does.
    hashing = [n for n in plan_nodes(plan) if outputs_sha256(n) and not any(map(outputs_sha256, n.get("Plans", [])))]
    people = Participant.objects.filter(study=export_study).count()
    assert Observation.objects.count() > 2 * people
    assert hashing, "no plan node computes the pseudonym"
    for node in hashing:
        assert node["Actual Rows"] * node["Actual Loops"] <= people, node["Node Type"]


def wide_table(study, tmp_path, *, deidentified=False):
    options = ExportOptions("csv", "wide", deidentified)
    tables = build_tables(study, options, masked=False)
    path = tmp_path / "data.csv"
    write_csv_table(tables[0], path)
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f)), tables[0].query


def long_rows(study, tmp_path, *, deidentified=False):
    tables = build_tables(study, ExportOptions("csv", "long", deidentified), masked=False)
    path = tmp_path / "observations.csv"
    write_csv_table(tables[1], path)
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("deidentified", [False, True])
def test_wide_csv_is_one_copy_and_holds_every_day_field_of_the_long_csv(export_study, tmp_path, deidentified):
    wide, query = wide_table(export_study, tmp_path, deidentified=deidentified)
    assert query is not None, "the wide CSV is PostgreSQL's COPY of one query, not rows pivoted in Python"
    by_id = {row["participant_id"]: row for row in wide}
    assert len(by_id) == Participant.objects.filter(study=export_study).count()
    fields = [v.name for v in columns.wide_day_fields(deidentified=deidentified)]
    seen = set()
    for row in long_rows(export_study, tmp_path, deidentified=deidentified):
        person = by_id[row["participant_id"]]
        for field in fields:
            assert person[f"{field}_d{row['day']}"] == row[field], (row["participant_id"], row["day"], field)
        seen.add((row["participant_id"], int(row["day"])))
    empty_days = [(pid, d) for pid in by_id for d in range(1, export_study.n_days + 1) if (pid, d) not in seen]
    assert empty_days, "the fixture should leave some days without an observation"
    for pid, day in empty_days:
        assert all(by_id[pid][f"{field}_d{day}"] == "" for field in fields)
