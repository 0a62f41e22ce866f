"""Page weight and load time of the midwife's pages on an emulated slow phone network.

Run from the repository root against a running server with the demo study (the quick start):

    python3 trialsite/bootstrap.py serve &            # or any Trialsite at --url
    .venv/bin/python bench/bench_pages.py [--url http://127.0.0.1:8000] [--runs 3] [--json out.json]

Chromium (``CHROMIUM_PATH``, default /usr/bin/chromium) at 360 px, throttled through the Chrome
DevTools Protocol: 400 ms latency, 400 kbit/s down and up, CPU 4x slower. Signs in the demo
midwife (password from var/demo-logins.txt unless --password) and measures, per run:

- cold: a fresh browser profile (empty HTTP cache, no service worker) holding only the session
  cookie opens Today, then (another fresh profile) the first daily form on Today's list;
- warm: the same page opened again in that profile;
- save: on a warm daily form, tap Save on a complete entry until the page it lands on has loaded.

"load" is the navigation's loadEventEnd (for the save: that of the page it lands on, whose
navigation began with the form's POST, so a redirect's hop is included; "tap" is the same seen
from the test driver, from the tap until the landing page's load, which adds the driver's delays),
"KB" the bytes that crossed the network (encodedDataLength, headers included) up to then,
"revalidations" the requests answered 304, "static requests" the /static/ files fetched from
the network rather than a cache, "redirects" the redirects followed (each one more round trip).
"after load" is what the page fetches in the next 8 s (the service worker's install and, on
Today, the daily forms kept for offline use).
A save uses up one due day of the demo data: re-seed (manage.py seed_demo) when none is left.
`--saves N` measures only N saves, each in a fresh profile warmed on the first form of Today.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "id-ID", "is_mobile": True, "has_touch": True}
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
QUIET_AFTER_LOAD_MS = 8_000


class Meter:
    """Counts what crosses the network for one page and its service worker, through CDP.

    The service worker is a target of its own: page-level throttling does not reach its fetches,
    so each worker is attached through the browser session and throttled and counted the same way.
    """

    def __init__(self, browser, context, page):
        self.reset()
        self.cdp = context.new_cdp_session(page)
        for name in ("requestWillBeSent", "responseReceived", "loadingFinished"):
            self.cdp.on(f"Network.{name}", lambda event, name=name: self._event("page", name, event))
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", SLOW)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        self.browser_cdp = browser.new_browser_cdp_session()
        self.workers: set[str] = set()
        self.browser_cdp.on("Target.targetCreated", self._target)
        self.browser_cdp.on("Target.receivedMessageFromTarget", self._from_worker)
        self.browser_cdp.send("Target.setDiscoverTargets", {"discover": True})

    def _target(self, event):
        info = event["targetInfo"]
        if info["type"] != "service_worker" or info["targetId"] in self.workers:
            return
        self.workers.add(info["targetId"])
        session = self.browser_cdp.send("Target.attachToTarget", {"targetId": info["targetId"], "flatten": False})
        for number, (method, params) in enumerate(
            (("Network.enable", {}), ("Network.emulateNetworkConditions", SLOW)), start=1
        ):
            message = json.dumps({"id": number, "method": method, "params": params})
            self.browser_cdp.send("Target.sendMessageToTarget", {"sessionId": session["sessionId"], "message": message})

    def _from_worker(self, event):
        message = json.loads(event["message"])
        method = message.get("method", "")
        if method.startswith("Network."):
            self._event(event["sessionId"], method.split(".", 1)[1], message["params"])

    def reset(self):
        self.bytes = 0
        self.urls: dict[str, str] = {}
        self.from_network: set[str] = set()
        self.revalidations = 0
        self.redirects = 0

    def _event(self, source: str, name: str, event: dict):
        request_id = f"{source}:{event['requestId']}"
        if name == "requestWillBeSent":
            self.urls[request_id] = event["request"]["url"]
            self.redirects += "redirectResponse" in event  # a redirect is one more round trip
        elif name == "responseReceived":
            response = event["response"]
            if response.get("fromDiskCache") or response.get("fromServiceWorker") or response.get("fromPrefetchCache"):
                return
            self.from_network.add(request_id)
            self.revalidations += response["status"] == 304
        elif name == "loadingFinished" and request_id in self.from_network:
            self.bytes += event["encodedDataLength"]

    def snapshot(self) -> dict:
        static = [r for r in self.from_network if "/static/" in self.urls.get(r, "")]
        return {
            "kb": round(self.bytes / 1024, 1),
            "revalidations": self.revalidations,
            "static_requests": len(static),
            "redirects": self.redirects,
        }

    def close(self):
        self.cdp.detach()
        self.browser_cdp.detach()


# The landed page's navigation began with the POST of the form (a redirect's hop included): its
# loadEventEnd is the save's time as the browser saw it, without the test driver's own delays.
SAVE_TIMING_JS = """() => {
    const n = performance.getEntriesByType('navigation')[0];
    const phases = {worker: n.workerStart, request: n.requestStart, first_byte: n.responseStart,
                    last_byte: n.responseEnd, interactive: n.domInteractive,
                    dom_ready: n.domContentLoadedEventEnd, load_start: n.loadEventStart};
    return {load: n.loadEventEnd, redirect: n.redirectEnd - n.redirectStart, phases: phases};
}"""


def load_time(page) -> float:
    return page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000


def open_page(browser, context, url: str) -> tuple[dict, dict]:
    """(measure up to load, measure of what follows in the next seconds) for ``url`` in ``context``."""
    page = context.pages[0] if context.pages else context.new_page()
    meter = Meter(browser, context, page)
    page.goto(url, wait_until="load")
    loaded = {"load_s": round(load_time(page), 2), **meter.snapshot()}
    meter.reset()
    page.wait_for_timeout(QUIET_AFTER_LOAD_MS)
    after = {"load_s": 0.0, **meter.snapshot()}
    meter.close()
    return loaded, after


def fill_complete_entry(page, form_url: str) -> None:
    page.goto(form_url, wait_until="load")
    page.select_option("select[name=missing_reason]", "")
    page.fill("input[name=feeds_24h]", "10")
    page.fill("input[name=wet_diapers_24h]", "7")
    page.fill("input[name=sleep_after_feed_hours]", "2.5")
    page.check("input[name=breast_full_then_soft][value=yes]")
    page.locator("input[name=adherence][value=yes]").check()
    if page.locator("input[name=massage_minutes]").count():
        page.fill("input[name=massage_minutes]", "15")
    page.fill("textarea[name=deviation_reason]", "bench")


def save(browser, context, form_url: str) -> dict:
    page = context.pages[0]
    fill_complete_entry(page, form_url)
    meter = Meter(browser, context, page)
    start = time.perf_counter()
    page.click("[data-testid=save]")
    page.wait_for_url(lambda url: url != form_url, wait_until="load")
    seconds = time.perf_counter() - start
    meter.close()
    landed = page.evaluate(SAVE_TIMING_JS)
    return {
        "load_s": round(landed["load"] / 1000, 2),
        "redirect_s": round(landed["redirect"] / 1000, 2),
        "tap_s": round(seconds, 2),
        **meter.snapshot(),
        "landed_on": page.url.split("//", 1)[1].split("/", 1)[1],
        # Milestones of the landing navigation (s from the POST's start): where the save's time goes.
        "phases_s": {name: round(ms / 1000, 2) for name, ms in landed["phases"].items()},
    }


def signed_in_state(browser, url: str, username: str, password: str) -> dict:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    today = page.goto(f"{url}/observations/today/")
    if not today.ok or "/accounts/login/" in page.url:
        raise SystemExit(f"Could not sign in as {username}.")
    forms = page.eval_on_selector_all("[data-testid=worklist-item]", "links => links.map(a => a.href)")
    state = context.storage_state()
    state["origins"] = []  # cookies only: no offline store, no service worker
    context.close()
    return {"state": state, "forms": forms}


def one_run(browser, url: str, signed: dict, form_url: str, save_url: str | None) -> dict:
    result = {}
    for name, target in (("today", f"{url}/observations/today/"), ("form", form_url)):
        context = browser.new_context(**PHONE, storage_state=signed["state"])
        cold, after = open_page(browser, context, target)
        warm, _ = open_page(browser, context, target)
        result[name] = {"cold": cold, "after_load": after, "warm": warm}
        if name == "form" and save_url:
            result["save"] = save(browser, context, save_url)
        context.close()
    return result


def saves_only(browser, url: str, signed: dict, count: int) -> list[dict]:
    """``count`` saves, each from a fresh profile warmed on Today's first form (no page measures)."""
    results = []
    for form_url in signed["forms"][1 : 1 + count]:
        context = browser.new_context(**PHONE, storage_state=signed["state"])
        page = context.new_page()
        page.goto(signed["forms"][0], wait_until="load")  # service worker and static files in place
        page.wait_for_timeout(3_000)
        results.append(save(browser, context, form_url))
        context.close()
    return results


def median_of(runs: list[dict], *path: str) -> float:
    values = []
    for run in runs:
        value = run
        for key in path:
            value = value[key]
        values.append(value)
    return statistics.median(values)


def report(runs: list[dict]) -> None:
    print("| page | measure | load (s) | KB | revalidations | static requests | redirects |")
    print("|---|---|---:|---:|---:|---:|---:|")
    rows = [(p, m) for p in ("today", "form") for m in ("cold", "warm", "after_load")]
    rows += [("save", None)] if "save" in runs[0] else []
    for page, measure in rows:
        path = (page, measure) if measure else (page,)
        keys = ("load_s", "kb", "revalidations", "static_requests", "redirects")
        cells = [median_of(runs, *path, key) for key in keys]
        load = "—" if measure == "after_load" else f"{cells[0]:.2f}"
        counts = " | ".join(f"{c:g}" for c in cells[2:])
        print(f"| {page} | {measure or 'tap to loaded'} | {load} | {cells[1]:.1f} | {counts} |")
    if "save" in runs[0] and "tap_s" in runs[0]["save"]:
        tap, hop = median_of(runs, "save", "tap_s"), median_of(runs, "save", "redirect_s")
        print(f"\nsave, medians: {tap:.2f} s from the tap as the test driver saw it; redirect hop {hop:.2f} s")


def report_saves(saves: list[dict]) -> None:
    for key in ("load_s", "tap_s", "redirect_s"):
        values = sorted(save[key] for save in saves)
        print(f"save {key}: median {statistics.median(values):.2f} ({', '.join(f'{v:.2f}' for v in values)})")
    for name in saves[0].get("phases_s", {}):
        values = sorted(save["phases_s"][name] for save in saves)
        print(f"  landing page {name}: median {statistics.median(values):.2f} s after the POST began")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="midwife.srp1")
    parser.add_argument("--password", default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-save", action="store_true", help="do not save (keeps the demo data unchanged)")
    parser.add_argument("--json", type=Path, help="write every run's numbers here")
    parser.add_argument("--saves", type=int, default=0, help="measure only this many saves (warm profiles)")
    args = parser.parse_args()
    if args.json and args.json.exists():  # report again from a saved run
        report(json.loads(args.json.read_text()))
        return
    password = args.password or (ROOT / "var" / "demo-logins.txt").read_text().strip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        signed = signed_in_state(browser, args.url, args.username, password)
        if args.saves:
            report_saves(saves_only(browser, args.url, signed, args.saves))
            return
        if len(signed["forms"]) < 1 + (0 if args.no_save else args.runs):
            raise SystemExit("Not enough days on Today's list: re-seed the demo study.")
        runs = []
        for i in range(args.runs):
            save_url = None if args.no_save else signed["forms"][1 + i]
            runs.append(one_run(browser, args.url, signed, signed["forms"][0], save_url))
        browser.close()
    report(runs)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
