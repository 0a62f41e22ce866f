"""The trimmed Bootstrap stylesheet keeps every rule a page can use, and is regenerated when templates change."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import translation

from tests.conftest import make_cast, make_study, sign_in_fully
from tests.trialsite.crawl import build_trial, crawl, page_urls
from tests.trialsite.crawl import url_values as values_for
from trialsite.stylesheet import SOURCE, TRIMMED, trim, trimmed

STATIC = Path(settings.BASE_DIR) / "static"
CLASS_IN_CSS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


def css_classes(css: str) -> set[str]:
    """Class names the stylesheet styles (outside declarations: a value such as 0.5rem is no class)."""
    return set(CLASS_IN_CSS.findall(re.sub(r"\{[^{}]*\}", "{}", css)))


def test_a_rule_is_kept_only_when_every_class_it_names_is_used():
    css = (
        '@charset "UTF-8";/*! licence */.a,.b{color:red}.a .c{margin:0}.a:not(.b, .c){x:1}'
        "@media (min-width:576px){.a{y:1}.c{y:2}}@media print{.c{z:1}}p{m:0}[data-bs-theme=dark]{q:1}"
    )
    out = trim(css, {"a", "b"})
    assert out.startswith('@charset "UTF-8";/*! licence */')
    assert ".a,.b{color:red}" in out
    assert ".a .c" not in out
    assert ":not(.b, .c)" not in out
    assert "@media (min-width:576px){.a{y:1}}" in out
    assert "@media print" not in out
    assert "p{m:0}" in out  # element selectors stay
    assert "data-bs-theme" not in out  # and so do attributes nothing sets


def test_the_committed_trimmed_stylesheet_is_current():
    """Fails when a template, script or Python file names a class the committed file dropped."""
    committed = (STATIC / TRIMMED).read_text(encoding="utf-8")
    assert committed == trimmed(), "A page uses classes the trimmed stylesheet lacks: run `python manage.py trimcss`."


def test_the_trimmed_stylesheet_is_a_fraction_of_bootstrap():
    assert (STATIC / TRIMMED).stat().st_size < (STATIC / SOURCE).stat().st_size / 2


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker) -> dict[str, str]:
    """Every page of a small trial as a midwife, the coordinator and the investigator see it."""
    with django_db_blocker.unblock(), transaction.atomic():
        study = make_study()
        cast = make_cast(study)
        trial = build_trial(study, cast)
        bodies = {}
        for username in ("midwife.srp1", "coordinator", "investigator"):
            client = sign_in_fully(Client(raise_request_exception=False), cast[username])
            with translation.override("en"):
                answers = crawl(client, page_urls(values_for(trial, study, cast)))
            bodies |= {f"{username} {url}": body for url, body in answers.items()}
        transaction.set_rollback(True)
    return bodies


@pytest.mark.django_db
def test_every_bootstrap_class_on_every_page_is_styled(pages):
    bootstrap = css_classes((STATIC / SOURCE).read_text(encoding="utf-8"))
    kept = css_classes((STATIC / TRIMMED).read_text(encoding="utf-8"))
    used = {
        (name, page)
        for page, body in pages.items()
        for value in CLASS_ATTRIBUTE.findall(body)
        for name in value.split()
        if name in bootstrap
    }
    assert len(pages) > 100
    assert len({name for name, _ in used}) > 100
    missing = sorted((name, page) for name, page in used if name not in kept)
    assert missing == []
