"""The results dashboard shows exactly the numbers of compute_results, to the people allowed to see them."""

from django.urls import reverse

from analysis import presentation as fmt
from analysis.results import compute_results
from tests.analysis.conftest import cells_by_testid

URL = reverse("analysis:dashboard")


def expected_cells(result: dict) -> dict[str, str]:
    """The display text every numeric cell must show, built from the result with analysis.presentation."""
    cells = {"data-sha": fmt.short_sha(result["data_sha256"])}
    for g in result["groups"]:
        code = g["code"]
        for point in fmt.TIME_POINTS:
            d = g[point]
            cells |= {
                f"desc-{code}-{point}-n": fmt.format_count(d["n"]),
                f"desc-{code}-{point}-mean": fmt.format_stat(d["mean"]),
                f"desc-{code}-{point}-sd": fmt.format_stat(d["sd"]),
            } | {f"desc-{code}-{point}-{k}": fmt.format_value(d[k]) for k in ("median", "min", "max", "q1", "q3")}
        w = g["wilcoxon"]
        for sign in ("negative", "positive"):
            cells[f"wx-{code}-{sign}-n"] = fmt.format_count(w[sign]["n"])
            cells |= {f"wx-{code}-{sign}-{k}": fmt.format_stat(w[sign][k]) for k in ("mean_rank", "sum_ranks")}
        cells |= {
            f"wx-{code}-ties": fmt.format_count(w["ties"]),
            f"wx-{code}-z": fmt.format_stat(w["z"]),
            f"wx-{code}-p_asymptotic": fmt.format_p(w["p_asymptotic"]),
            f"wx-{code}-p_exact": fmt.format_p(w["p_exact"]),
            f"es-wx-{code}-ci95": fmt.format_ci(w["ci95"]),
        } | {f"es-wx-{code}-{k}": fmt.format_stat(w[k]) for k in ("r", "rank_biserial", "hodges_lehmann")}
    for key, t in result["mann_whitney"].items():
        for code, ranks in t["groups"].items():
            cells[f"mw-{key}-{code}-n"] = fmt.format_count(ranks["n"])
            cells |= {f"mw-{key}-{code}-{k}": fmt.format_stat(ranks[k]) for k in ("mean_rank", "sum_ranks")}
        cells |= {f"mw-{key}-{k}": fmt.format_stat(t[k]) for k in ("u", "z")}
        cells |= {f"mw-{key}-{k}": fmt.format_p(t[k]) for k in ("p_asymptotic", "p_exact")}
        cells |= {f"es-mw-{key}-{k}": fmt.format_stat(t[k]) for k in ("r", "rank_biserial", "hodges_lehmann")}
        cells[f"es-mw-{key}-ci95"] = fmt.format_ci(t["ci95"])
    return cells


def test_dashboard_shows_exactly_the_numbers_of_the_result(known_dataset, study, client_for):
    response = client_for("investigator").get(URL)
    assert response.status_code == 200
    shown = cells_by_testid(response.content.decode())
    expected = expected_cells(compute_results(study))
    assert len(expected) > 100
    assert {key: shown.get(key) for key in expected} == expected


def test_dashboard_numbers_are_those_of_the_published_tables_layout(known_dataset, study, client_for):
    shown = cells_by_testid(client_for("coordinator").get(URL).content.decode())
    # Moringa: pre 1,2,2,3,1,2 → median 2, post 3,4,2,5,2,3 → median 3; five improved, one tie.
    assert shown["desc-moringa-pre-median"] == "2"
    assert shown["desc-moringa-post-median"] == "3"
    assert shown["wx-moringa-positive-n"] == "5"
    assert shown["wx-moringa-negative-n"] == "0"
    assert shown["wx-moringa-ties"] == "1"
    assert shown["wx-moringa-z"].startswith("−")


def test_per_protocol_switch_shows_that_population(known_dataset, study, client_for):
    response = client_for("investigator").get(URL, {"population": "per_protocol"})
    shown = cells_by_testid(response.content.decode())
    assert shown["population"] in ("per protocol", "per protokol")
    assert shown["desc-moringa-pre-n"] == str(
        compute_results(study, population="per_protocol")["groups"][0]["pre"]["n"]
    )


def test_dashboard_shows_flow_baseline_completeness_chart_and_text(known_dataset, client_for):
    html = client_for("investigator").get(URL).content.decode()
    shown = cells_by_testid(html)
    assert "flow-diagram" in shown
    assert "baseline-table" in shown
    assert shown["completeness-SRP1-1"].startswith("12/")
    assert 'id="daily-data"' in html
    assert "daily-chart" in html
    assert shown["daily-moringa-4-n"] == "6"
    assert shown["daily-moringa-4-median"] == "3 (3–3)"
    assert "Wilcoxon" in shown["narrative-en"]
    assert "Z = −" in shown["narrative-en"]
    assert "Wilcoxon" in shown["narrative-id"]
    assert shown["narrative-en"] != shown["narrative-id"]


def test_dashboard_has_no_inline_script_or_style(known_dataset, client_for):
    html = client_for("investigator").get(URL).content.decode()
    assert "style=" not in html
    assert "<style" not in html
    assert "<script>" not in html
    assert "<script type" not in html.replace('<script type="application/json"', "")


def test_midwife_is_forbidden(known_dataset, client_for):
    assert client_for("midwife.srp1").get(URL).status_code == 403


def test_outsider_is_forbidden(known_dataset, client_for):
    assert client_for("outsider").get(URL).status_code == 403


def test_anonymous_is_sent_to_login(known_dataset, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_live_fragment_answers_204_while_nothing_changed(
    known_dataset, client_for, enrol_with_scores, arm_moringa, monkeypatch
):
    from analysis import dashboard

    client = client_for("investigator")
    fragment = client.get(reverse("analysis:dashboard_live"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    fingerprint = (
        cells_by_testid(fragment.content.decode())
        and fragment.content.decode().split('data-fingerprint="')[1].split('"')[0]
    )
    unchanged = client.get(
        reverse("analysis:dashboard_live"), {"fingerprint": fingerprint}, headers={"HX-Request": "true"}
    )
    assert unchanged.status_code == 204
    enrol_with_scores(arm_moringa, "M-99", {1: 1, 7: 5})
    monkeypatch.setattr(dashboard, "POLL_SECONDS", 0)  # a poll interval after the results were computed
    changed = client.get(
        reverse("analysis:dashboard_live"), {"fingerprint": fingerprint}, headers={"HX-Request": "true"}
    )
    assert changed.status_code == 200
    assert cells_by_testid(changed.content.decode())["desc-moringa-pre-n"] == "7"


def test_live_fragment_is_forbidden_for_midwives(known_dataset, client_for):
    assert client_for("midwife.srp1").get(reverse("analysis:dashboard_live")).status_code == 403


def test_dashboard_query_count_does_not_grow_with_participants(
    study, client_for, enrol_with_scores, arm_moringa, arm_massage, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, counts = client_for("investigator"), []
    for number in range(40):
        arm = (arm_moringa, arm_massage)[number % 2]
        enrol_with_scores(arm, f"Q-{number:03d}", {1: 1 + number % 3, 7: 2 + number % 4})
        if number + 1 in (5, 40):
            cache.clear()
            with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(42):
                assert client.get(URL).status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1]


def test_every_flag_sentence_is_in_the_translation_catalog():
    from analysis.stats import MESSAGES
    from analysis.stats.flags import COMPARISONS

    assert set(MESSAGES.values()) | set(COMPARISONS.values()) == set(fmt.FLAG_MSGIDS)


def test_flags_are_shown_in_indonesian_on_an_indonesian_page(known_dataset, client_for):
    client = client_for("investigator")
    client.cookies["django_language"] = "id"
    shown = cells_by_testid(client.get(URL).content.decode())
    assert "Kelompok" in shown["flag-few_nonzero_differences"]


def test_live_poll_waits_while_another_request_computes_the_new_results(known_dataset, study, client_for, monkeypatch):
    from django.core.cache import cache
    from django.utils import translation

    from analysis import dashboard
    from analysis.dashboard import dashboard_bundle, data_fingerprint

    monkeypatch.setattr(dashboard, "COMPUTING_SECONDS", 0.3)  # a page gives up waiting for a computation this stuck

    key = f"analysis:dashboard:{study.pk}:complete_cases:0:id:{data_fingerprint()}"
    cache.add(f"{key}:computing", True, 30)
    poll = client_for("investigator").get(reverse("analysis:dashboard_live"), {"fingerprint": "old"})
    assert poll.status_code == 204
    with translation.override("id"):
        assert dashboard_bundle(study, population="complete_cases", masked=False, wait=False) is None
        assert dashboard_bundle(study, population="complete_cases", masked=False)["result"]["groups"]


def test_a_study_without_data_renders_every_page(study, client_for):
    client = client_for("investigator")
    for name in ("analysis:dashboard", "analysis:report", "analysis:report_pdf"):
        assert client.get(reverse(name)).status_code == 200
    shown = cells_by_testid(client.get(URL).content.decode())
    assert shown["desc-moringa-pre-n"] == "0"
    assert shown["wx-moringa-z"] == "–"


def test_an_uncomputed_exact_p_shows_a_dash_and_says_the_asymptotic_p_is_reported(known_dataset, study):
    from django.template.loader import render_to_string

    result = compute_results(study)
    wilcoxon = result["groups"][0]["wilcoxon"]
    wilcoxon.update(p_exact=None, p_exact_method="not computed: over the work budget")
    shown = cells_by_testid(render_to_string("analysis/_wilcoxon.html", {"result": result}))
    assert shown["wx-moringa-p_exact"].startswith("–")
    assert "over the work budget" in shown["wx-moringa-p_exact_note"]
    assert shown["wx-moringa-p_asymptotic"] == fmt.format_p(wilcoxon["p_asymptotic"])
