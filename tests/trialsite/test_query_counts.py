"""No page's query count grows with the number of participants.

Every page in the navigation is requested by each role with a small and with a larger demo
study; the number of database queries must be the same.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trialsite.navigation import nav_for

pytestmark = pytest.mark.django_db

ROLES = ("midwife.srp1", "coordinator", "investigator")


def _queries_per_page(client, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        client.get(url)  # warm per-process caches (content types, translations)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


@pytest.mark.parametrize("username", ROLES)
def test_no_menu_page_makes_more_queries_for_more_participants(client_for, cast, username):
    urls = [item["url"] for item in nav_for(cast[username])]
    call_command("seed_demo", participants=4, seed=5, verbosity=0)
    small = _queries_per_page(client_for(username), urls)
    call_command("seed_demo", participants=16, seed=5, verbosity=0)
    large = _queries_per_page(client_for(username), urls)
    assert large == small
