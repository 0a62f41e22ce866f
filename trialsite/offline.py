"""The installable web app: manifest, service worker and the page shown for what is not kept offline.

The service worker keeps the static files and, for a signed-in midwife, Today and her
mothers' daily forms; entries made offline wait in the phone's IndexedDB (static/js/offline.js)
and are sent through ``/api/v1/observations/``, so the server's rules decide.
"""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

# Everything Today and the daily form need offline; the chart library and htmx (live dashboard) are not.
OFFLINE_ASSETS = (
    "vendor/bootstrap/bootstrap.trimmed.css",
    "vendor/idb-keyval/idb-keyval.umd.js",
    "css/trialsite.css",
    "js/trialsite.js",
    "js/offline.js",
    "js/observations.js",
)


@cache_control(no_cache=True)
def service_worker(request):
    assets = [static(name) for name in OFFLINE_ASSETS]
    version = hashlib.sha256(json.dumps(assets).encode()).hexdigest()[:12]
    body = render_to_string("offline/sw.js", {
        "assets": json.dumps(assets), "version": version, "offline_url": json.dumps(reverse("offline")),
    })  # fmt: skip
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@cache_control(max_age=3600)
def manifest(request):
    icons = [
        {"src": static(f"icons/trialsite-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    return JsonResponse(
        {
            "name": "Trialsite",
            "short_name": "Trialsite",
            "description": _("Daily observations on home visits, online or offline."),
            "start_url": reverse("observations:today"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0d6efd",
            "icons": icons,
        },
        content_type="application/manifest+json",
    )


def offline_page(request):
    """What the phone shows, offline, for a page it has not kept (enrollment, screening, results…)."""
    return render(request, "offline/offline.html")
