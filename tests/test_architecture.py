"""The import graph keeps its direction: regions ← parties ← articles, faces on top, no cycles (DESIGN.md §2).

Every import counts, lazy ones inside functions included. The edges listed in KNOWN_VIOLATIONS are the ones
left to remove (issue 13); the test fails on any new forbidden edge and on a listed one that is gone, so the
list only shrinks.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("regions", "parties", "articles")
PACKAGES = (*APPS, "newsroom")
# Modules that show data (and may read any app's public querysets and services); the rest is data and logic.
FACES = {"views", "urls", "admin", "feeds", "sitemaps", "forms", "apps"}
FACE_PACKAGES = {"templatetags", "management"}
# What each app's data and logic may not import: the apps above it in the chain.
ABOVE = {"regions": {"parties", "articles"}, "parties": {"articles"}, "articles": set()}

KNOWN_VIOLATIONS = {
    ("cycle", "articles.models -> articles.search"),
    ("cycle", "articles.search -> articles.models"),
    ("cycle", "articles.models -> articles.workflow"),
    ("cycle", "articles.workflow -> articles.models"),
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
    """The project modules `path` imports, at the top or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.split(".")[0] in (*PACKAGES, "bench"):
                found.add(target)
    return found


def import_graph():
    modules = project_modules()
    known = set(modules) | {module_name(path) for path in (ROOT / "bench").rglob("*.py")}
    return {name: imported_modules(path, name, known) for name, path in modules.items()}


def is_face(name):
    parts = name.split(".")
    return parts[-1] in FACES or bool(FACE_PACKAGES & set(parts[1:-1]))


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
        for target in targets:
            target_app = target.split(".")[0]
            if target_app == "bench":
                found.add(("imports the benchmark", f"{source} -> {target}"))
            if target.endswith(".views") and target_app != app:
                found.add(("another app's views", f"{source} -> {target}"))
            if app in ABOVE and not is_face(source) and target_app in ABOVE[app]:
                found.add(("up the chain", f"{source} -> {target}"))
    for component in cycles(graph):
        members = set(component)
        for source in component:
            for target in sorted(graph[source] & members):
                found.add(("cycle", f"{source} -> {target}"))
    return found


def test_the_import_graph_has_no_new_forbidden_edge():
    new = violations(import_graph()) - KNOWN_VIOLATIONS
    assert not new, "forbidden imports (DESIGN.md §2):\n" + "\n".join(f"{kind}: {edge}" for kind, edge in sorted(new))


def test_every_known_violation_is_still_there():
    gone = KNOWN_VIOLATIONS - violations(import_graph())
    assert not gone, "remove these from KNOWN_VIOLATIONS, they are fixed:\n" + "\n".join(map(str, sorted(gone)))


def test_the_checks_see_a_forbidden_edge():
    graph = {"regions.models": {"articles.models"}, "articles.models": {"regions.models"}, "parties.views": set()}
    graph["articles.admin"] = {"parties.views", "bench.run"}
    assert violations(graph) == {
        ("up the chain", "regions.models -> articles.models"),
        ("cycle", "regions.models -> articles.models"),
        ("cycle", "articles.models -> regions.models"),
        ("another app's views", "articles.admin -> parties.views"),
        ("imports the benchmark", "articles.admin -> bench.run"),
    }
