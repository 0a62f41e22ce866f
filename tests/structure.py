"""The apps' dependency graph, read from the code: the layer rule and the drawing in docs/structure.md.

Python imports come from grimp (every import statement, those inside functions too); template
edges from each app's templates: the tag libraries they ``{% load %}`` and the templates they
``{% extends %}`` or ``{% include %}``.

    python -m tests.structure           # print the Mermaid drawing
    python -m tests.structure --write   # write it into docs/structure.md
    python -m tests.structure --check   # exit 1 if the drawing there is stale or an edge points up

tests/trialsite/test_structure.py runs the same checks.
"""

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "structure.md"
BEGIN, END = "<!-- structure drawing: begin (tests/structure.py --write) -->", "<!-- structure drawing: end -->"

# Lowest first. An app may use its own layer's app and the apps of lower layers; apps sharing a
# layer know nothing of each other. Nothing imports the top layer.
LAYERS = (("trialsite",), ("enrollment",), ("observations",), ("safety",), ("analysis",), ("exports", "demo"))
# app -> its package (the top-layer apps live inside a domain app's folder, with their own app label)
PACKAGES = {app: app for layer in LAYERS for app in layer} | {
    "safety": "observations.safety",
    "exports": "analysis.exports",
    "demo": "observations.demo",
}
TEMPLATE_DIRS = {"trialsite": "templates"} | {
    app: f"{package.replace('.', '/')}/templates" for app, package in PACKAGES.items() if app != "trialsite"
}
RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}
TAG = re.compile(r"{%\s*(load|extends|include)\s+(.+?)\s*%}")


def app_of(module: str) -> str | None:
    """The app a dotted module name belongs to (the longest package that contains it)."""
    owners = [app for app, package in PACKAGES.items() if module == package or module.startswith(package + ".")]
    return max(owners, key=lambda app: len(PACKAGES[app]), default=None)


def import_edges() -> dict[tuple[str, str], list[str]]:
    """(importer app, imported app) -> 'module:line imports module', for imports across apps."""
    import grimp

    graph = grimp.build_graph(*sorted({package.split(".")[0] for package in PACKAGES.values()}))
    edges: dict[tuple[str, str], list[str]] = {}
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            pair = (app_of(module), app_of(imported))
            if None not in pair and pair[0] != pair[1]:
                for detail in graph.get_import_details(importer=module, imported=imported):
                    edges.setdefault(pair, []).append(f"{module}:{detail['line_number']} imports {imported}")
    return edges


def _templates(app: str) -> Iterator[Path]:
    folder = ROOT / TEMPLATE_DIRS[app]
    nested = [ROOT / TEMPLATE_DIRS[other] for other in PACKAGES if other != app]
    for path in sorted(folder.rglob("*.html")):
        if not any(inner != folder and inner in path.parents for inner in nested):
            yield path


def _template_owners() -> dict[str, str]:
    """template name -> the app whose templates folder holds it."""
    return {path.relative_to(ROOT / TEMPLATE_DIRS[app]).as_posix(): app for app in PACKAGES for path in _templates(app)}


def _libraries() -> dict[str, str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")
    import django

    django.setup()
    from django.template.backends.django import get_installed_libraries

    return get_installed_libraries()


def _used_apps(kind: str, argument: str, libraries: dict, owners: dict) -> Iterator[str | None]:
    if kind == "load":
        names = argument.split(" from ")[-1].split() if " from " in argument else argument.split()
        yield from (app_of(libraries.get(name, "")) for name in names)
    elif argument[:1] in "'\"":
        yield owners.get(argument.split()[0].strip("'\""))


def template_edges() -> dict[tuple[str, str], list[str]]:
    """(app of the template, app of what it loads, extends or includes) -> 'template: {% … %}'."""
    libraries, owners = _libraries(), _template_owners()
    edges: dict[tuple[str, str], list[str]] = {}
    for app in PACKAGES:
        for path in _templates(app):
            for match in TAG.finditer(path.read_text(encoding="utf-8")):
                for used in _used_apps(*match.groups(), libraries, owners):
                    if used not in (None, app):
                        edges.setdefault((app, used), []).append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    return edges


def back_edges(edges: dict[tuple[str, str], list[str]]) -> list[str]:
    """Every use that points up a layer, or across a layer, with where it is."""
    return [
        f"{importer} -> {imported}: {where}"
        for (importer, imported), places in sorted(edges.items())
        if RANK[imported] >= RANK[importer]
        for where in places
    ]


def drawing(imports: dict, templates: dict) -> str:
    """The Mermaid flowchart: solid arrows for Python imports, dotted for template-only uses."""
    lines = ["```mermaid", "flowchart BT"]
    for rank, layer in enumerate(LAYERS):
        lines.append(f'  subgraph layer{rank} [" "]')
        lines.extend(f"    {app}" if PACKAGES[app] == app else f'    {app}["{app} ({PACKAGES[app]})"]' for app in layer)
        lines.append("  end")
    lines.extend(f"  {a} --> {b}" for a, b in sorted(imports))
    lines.extend(f"  {a} -. templates .-> {b}" for a, b in sorted(set(templates) - set(imports)))
    lines.append("```")
    return "\n".join(lines)


def current_drawing() -> str:
    return drawing(import_edges(), template_edges())


def document_with(text: str, new: str) -> str:
    """``text`` (docs/structure.md) with the drawing between the markers replaced by ``new``."""
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    return f"{text[:start]}\n{new}\n{text[stop:]}"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    new = current_drawing()
    if "--write" in argv:
        DOC.write_text(document_with(DOC.read_text(encoding="utf-8"), new), encoding="utf-8")
    elif "--check" in argv:
        problems = back_edges(import_edges()) + back_edges(template_edges())
        text = DOC.read_text(encoding="utf-8")
        if document_with(text, new) != text:
            problems.append(f"{DOC.relative_to(ROOT)}: the drawing is stale; run python -m tests.structure --write")
        print("\n".join(problems) or "one way, drawing current")
        return 1 if problems else 0
    else:
        print(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
