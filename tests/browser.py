"""Checks shared by the browser tests: does the page fit a phone, did the CSP block anything; the phone's connection."""

from playwright.sync_api import Error as PlaywrightError

# Elements wider than the viewport that are not inside a box meant to scroll sideways.
_OVERFLOWING_JS = """() => {
    const width = document.documentElement.clientWidth;
    const bad = [];
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= width + 1) continue;
        if (el.closest('.table-responsive, .overflow-auto, pre')) continue;
        bad.push(el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' + Math.round(r.right));
    }
    return bad.slice(0, 5);
}"""


def fits_the_screen(page) -> bool:
    """True when the page does not scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def overflowing(page) -> list[str]:
    """Up to five elements that stick out of the viewport (empty when the layout fits)."""
    return page.evaluate(_OVERFLOWING_JS)


def watch_csp_errors(page) -> list[str]:
    """A list that fills with every Content-Security-Policy violation the page reports."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


# Table cells a reader cannot see without scrolling a table sideways (or the page): none, on any page.
_HIDDEN_CELLS_JS = """() => {
    const width = document.documentElement.clientWidth;
    const hidden = [];
    for (const box of document.querySelectorAll('.table-responsive')) {
        if (box.scrollWidth <= box.clientWidth + 1) continue;
        hidden.push('table scrolls sideways: ' + (box.querySelector('table') || box).outerHTML.slice(0, 80));
    }
    for (const cell of document.querySelectorAll('table > tbody > tr > *')) {
        const r = cell.getBoundingClientRect();
        if (r.width === 0 || (r.left >= -1 && r.right <= width + 1)) continue;
        const name = cell.dataset.label || cell.tagName;
        hidden.push(name + ': ' + cell.innerText.slice(0, 40) + ' ' + Math.round(r.right));
    }
    return hidden.slice(0, 5);
}"""


def hidden_table_cells(page) -> list[str]:
    """Up to five table cells (or tables) that stick out of a 360-px screen: empty when every column shows."""
    return page.evaluate(_HIDDEN_CELLS_JS)


_OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
_ONLINE = _OFFLINE | {"offline": False}


class PhoneConnection:
    """The phone's connection in a browser test: ``cut()``, ``restore()``, and ``hold(page)`` once a page has
    loaded while it is cut.

    ``cut`` and ``restore`` are Playwright's ``context.set_offline``: Chromium's offline emulation, which fails
    every request of the pages and of the service worker. Some Chromium releases (Debian bookworm's 150) do
    not carry its ``navigator.onLine`` into a document the service worker serves: such a page reads true while
    its requests fail, and takes the online path, which a phone without signal never does. ``hold`` sets the
    page's connection state to offline for its current document (DevTools' ``Network.overrideNetworkState``,
    the state alone: the requests stay the emulation's), which fires the page's ``offline`` event as a phone
    losing its signal does. ``restore`` lets the requests through first, then lifts that state, so the
    ``online`` event a page acts on comes when a request can succeed.
    """

    def __init__(self, context) -> None:
        self.context = context
        self.sessions = []

    def cut(self) -> None:
        self.context.set_offline(True)

    def hold(self, page) -> None:
        session = self.context.new_cdp_session(page)
        session.send("Network.overrideNetworkState", _OFFLINE)
        self.sessions.append(session)
        page.wait_for_function("() => !navigator.onLine")

    def restore(self) -> None:
        self.context.set_offline(False)
        for session in self.sessions:
            try:
                session.send("Network.overrideNetworkState", _ONLINE)
                session.detach()
            except PlaywrightError:  # the session's page is closed: nothing left to lift
                pass
        self.sessions.clear()
