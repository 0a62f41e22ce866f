"""Checks shared by the browser tests: does the page fit a phone, did the CSP block anything."""

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
