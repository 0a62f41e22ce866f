"""Dependencies point one way (docs/structure.md): Python imports and templates, and the drawing is current."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from trialsite import panels

SCRIPT = Path(__file__).resolve().parents[1] / "structure.py"


@pytest.fixture(scope="module")
def structure():
    spec = importlib.util.spec_from_file_location("structure_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def imports(structure):
    return structure.import_edges()


@pytest.fixture(scope="module")
def templates(structure):
    return structure.template_edges()


def test_no_import_points_up_or_across_the_layers(structure, imports):
    assert structure.back_edges(imports) == []


def test_no_template_uses_a_higher_app(structure, templates):
    assert structure.back_edges(templates) == []


def test_the_drawing_in_the_docs_is_the_graph_of_the_code(structure, imports, templates):
    text = structure.DOC.read_text(encoding="utf-8")
    assert structure.document_with(text, structure.drawing(imports, templates)) == text, (
        "docs/structure.md is stale: run python -m tests.structure --write"
    )


def test_the_graph_sees_the_layers_it_draws(imports):
    assert ("observations", "enrollment") in imports
    assert ("analysis", "safety") in imports
    assert ("exports", "analysis") in imports


def test_an_import_up_a_layer_or_across_the_top_is_reported(structure):
    edges = {
        ("enrollment", "observations"): ["enrollment/x.py:3 imports observations.models"],
        ("exports", "demo"): ["analysis/exports/y.py:1 imports observations.demo.study"],
        ("analysis", "enrollment"): ["fine"],
    }
    reported = structure.back_edges(edges)
    assert len(reported) == 2
    assert reported[0].startswith("enrollment -> observations")


def test_a_lower_template_loading_the_safety_tags_is_reported(structure):
    libraries = {
        "safety_tags": "observations.safety.templatetags.safety_tags",
        "panels": "trialsite.templatetags.panels",
    }
    owners = {"safety/_open_queries.html": "safety"}
    assert list(structure._used_apps("load", "i18n safety_tags", libraries, owners)) == [None, "safety"]
    assert list(structure._used_apps("include", '"safety/_open_queries.html"', libraries, owners)) == ["safety"]
    assert list(structure._used_apps("load", "panels", libraries, owners)) == ["trialsite"]


def test_the_safety_app_contributes_its_panels_to_the_lower_pages():
    for slot in ("home", "today", "day_form", "participant", "timeline_day"):
        sources = [re.split(r"[./]", panel.source) for panel in panels.panels_in(slot)]
        assert ["safety" in parts for parts in sources] == [True], slot


def test_a_panel_for_an_unknown_slot_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="No panel slot"):
        panels.contribute("todya", "safety/_open_queries.html", dict)
