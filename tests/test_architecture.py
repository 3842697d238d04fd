"""The import graph keeps its direction: regions ← parties ← articles, faces on top, no cycles (DESIGN.md §2).

Faces read other apps through their public names, never their views or `_private` helpers; the site chrome
(newsroom/) uses no app's views.

Every import counts, lazy ones inside functions included; no forbidden edge is tolerated. Modules stay small
enough to hold (STYLE.md §1), with a list of exceptions that may only shrink.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("regions", "parties", "articles")
PACKAGES = (*APPS, "newsroom")
# Modules that show data (and may read any app's public querysets and services); the rest is data and logic.
FACES = {"views", "urls", "admin", "feeds", "sitemaps", "forms", "apps"}
FACE_PACKAGES = {"templatetags", "management", "admin"}
# What each app's data and logic may not import: the apps above it in the chain.
ABOVE = {"regions": {"parties", "articles"}, "parties": {"articles"}, "articles": set()}

# Split a module by noun when it passes ~300 lines (STYLE.md §1).
MAX_MODULE_LINES = 300
# Application modules still over the limit. The test fails on any other module over it and on a listed one
# that has come under it, so the list only shrinks.
LONG_MODULES = {
    # The one settings module, read from the environment (STYLE.md §2): configuration kept in one place on
    # purpose, not code to split by noun.
    "newsroom/settings.py",
}


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imported_modules(path, name, known):
    """The project modules `path` imports, at the top or inside functions, each with the names taken from it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = {}

    def add(target, imported_name=None):
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name and target.split(".")[0] in (*PACKAGES, "bench"):
            names = found.setdefault(target, set())
            if imported_name:
                names.add(imported_name)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            add(base)
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    add(f"{base}.{alias.name}")
                else:
                    add(base, alias.name)
    return found


def import_graph():
    """{module: {module it imports: the names it takes from it}}."""
    modules = project_modules()
    known = set(modules) | {module_name(path) for path in (ROOT / "bench").rglob("*.py")}
    return {name: imported_modules(path, name, known) for name, path in modules.items()}


def is_face(name):
    parts = name.split(".")
    return parts[-1] in FACES or bool(FACE_PACKAGES & set(parts[1:-1]))


def is_views(name):
    return "views" in name.split(".")[1:]


def is_private(imported_name):
    return imported_name.startswith("_") and not imported_name.endswith("__")


def cycles(graph):
    """Each import cycle as a sorted list of its modules (Tarjan's strongly connected components)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def violations(graph):
    found = set()
    for source, targets in graph.items():
        app = source.split(".")[0]
        for target, names in targets.items():
            target_app = target.split(".")[0]
            if target_app == "bench":
                found.add(("imports the benchmark", f"{source} -> {target}"))
            if is_views(target) and target_app in APPS and app == "newsroom":
                found.add(("site chrome uses an app's views", f"{source} -> {target}"))
            elif is_views(target) and target_app != app:
                found.add(("another app's views", f"{source} -> {target}"))
            if app in ABOVE and not is_face(source) and target_app in ABOVE[app]:
                found.add(("up the chain", f"{source} -> {target}"))
            if is_face(source) and target_app in PACKAGES and target_app != app:
                for name in sorted(filter(is_private, names)):
                    found.add(("another app's private helper", f"{source} -> {target}.{name}"))
    for component in cycles(graph):
        members = set(component)
        for source in component:
            for target in sorted(graph[source].keys() & members):
                found.add(("cycle", f"{source} -> {target}"))
    return found


def test_the_import_graph_has_no_forbidden_edge():
    found = violations(import_graph())
    listing = "\n".join(f"{kind}: {edge}" for kind, edge in sorted(found))
    assert not found, "forbidden imports (DESIGN.md §2):\n" + listing


def test_the_checks_see_a_forbidden_edge():
    graph = {"regions.models": {"articles.models": set()}, "articles.models": {"regions.models": {"Region"}}}
    graph["articles.admin"] = {"parties.views": set(), "bench.run": set(), "parties.resources": {"_row", "Party"}}
    graph["articles.feeds"] = {"articles.models": {"_own_helper"}}
    graph["newsroom.page_cache"] = {"articles.views": {"home"}}
    assert violations(graph) == {
        ("up the chain", "regions.models -> articles.models"),
        ("cycle", "regions.models -> articles.models"),
        ("cycle", "articles.models -> regions.models"),
        ("another app's views", "articles.admin -> parties.views"),
        ("imports the benchmark", "articles.admin -> bench.run"),
        ("another app's private helper", "articles.admin -> parties.resources._row"),
        ("site chrome uses an app's views", "newsroom.page_cache -> articles.views"),
    }


def long_modules():
    """The application modules (no migrations, no tests) over MAX_MODULE_LINES lines."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in project_modules().values()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
    }


def test_no_new_application_module_is_over_the_line_limit():
    new = long_modules() - LONG_MODULES
    assert not new, f"split these by noun (over {MAX_MODULE_LINES} lines, STYLE.md §1):\n" + "\n".join(sorted(new))


def test_every_listed_long_module_is_still_over_the_limit():
    gone = LONG_MODULES - long_modules()
    assert not gone, "remove these from LONG_MODULES, they are short enough now:\n" + "\n".join(sorted(gone))
