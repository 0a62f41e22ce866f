"""Every URL pattern, called with malformed path parameters and query strings, never answers 5xx."""

import pytest
from django.test import Client

from tests.trialsite.crawl import PARAM, patterns, plain

pytestmark = pytest.mark.django_db

BAD_VALUES = ["-1", "99999999999999999999", "SRP1-001", "%00", "%C2%B9", "x" * 300]
BAD_QUERIES = [
    "?study=%00&q=%00x&status=%00&arm=%00&site=%00",
    "?study=x&page=-1&q=%C2%B9&status=x&arm=x&participant=SRP1-001&day=%C2%B9&site=99999999999999999999&format=x",
    "?participant=99999999999999999999&day=99999999999999999999&page=99999999999999999999",
]


def urls() -> list[str]:
    found = set()
    for route in map(plain, patterns()):  # the masked crawl's walker (crawl.py), with bad values instead
        if PARAM.search(route):
            found.update("/" + PARAM.sub(value, route) for value in BAD_VALUES)
        else:
            found.update("/" + route + query for query in BAD_QUERIES)
    return sorted(found)


@pytest.fixture
def clients(cast):
    signed_in = {}
    for username in ("coordinator", "midwife.srp1"):
        signed_in[username] = Client(raise_request_exception=False)
        signed_in[username].force_login(cast[username])
    signed_in["anonymous"] = Client(raise_request_exception=False)
    return signed_in


def test_no_url_answers_a_server_error_to_malformed_parameters(clients):
    failures = []
    for url in urls():
        for who, client in clients.items():
            for method in ("get", "post") if who in ("coordinator", "anonymous") else ("get",):
                response = getattr(client, method)(url)
                if response.status_code >= 500:
                    failures.append((method.upper(), url, who, response.status_code))
    assert failures == []


def test_the_crawl_covers_every_pattern():
    assert len(urls()) > 100
    assert any("participants/SRP1-001" in url for url in urls())
