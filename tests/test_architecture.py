"""The shape of the package, read from its source with ``ast`` (nothing is imported or run):
no import circles, the composition root imported only by the command line, the pages and
entry points, Gradio only by the pages, and modules of a readable size.

Every import counts, at the top of a module or inside a function (a lazy import is still a
dependency), and so does one under ``if TYPE_CHECKING:``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "prep_bot"
ROOT = "prep_bot.services"
# Who may build the services: the command line, the pages, and modules run as programs.
MAY_IMPORT_ROOT = ("prep_bot.cli", "prep_bot.ui")
ENTRY_POINTS = {"prep_bot.__main__", "prep_bot.cli.__main__"}
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> dict[str, int]:
    """The package's modules that ``name`` imports (anywhere in the file), each with the line of
    its first import. ``from a.b import c`` counts as ``a.b.c`` when that is a module, else ``a.b``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.setdefault(target, node.lineno)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def uses_gradio(path: Path) -> int | None:
    """The line of the first import of gradio in a file, else None (gradio_client, a separate
    package that only calls a server, is not the UI toolkit)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        if any(n.split(".")[0] == "gradio" for n in names):
            return node.lineno
    return None


def _under(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_the_graph_reads_imports_of_every_kind(tmp_path):
    """The reader itself: top-level, relative, function-level and TYPE_CHECKING imports all count."""
    graph = import_graph()
    assert "prep_bot.services" in graph["prep_bot.cli.common"]  # a function-level import
    assert "prep_bot.framework.statements" in graph["prep_bot.services"]  # a top-level one
    assert "prep_bot.coaching.claims" in graph["prep_bot.coaching.feedback"]  # under TYPE_CHECKING
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]


def test_no_import_circles():
    found = cycles(import_graph())
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_only_the_command_line_pages_and_entry_points_import_the_composition_root():
    graph = import_graph()
    wrong = sorted(
        f"{name} (line {lines[ROOT]})" for name, lines in graph.items()
        if ROOT in lines and not _under(name, MAY_IMPORT_ROOT) and name not in ENTRY_POINTS
    )
    assert not wrong, f"these modules import {ROOT}; pass them what they need instead: {', '.join(wrong)}"


def test_the_domain_and_use_cases_import_neither_pages_nor_command_line():
    graph = import_graph()
    wrong = sorted(
        f"{name} -> {target}" for name, lines in graph.items() for target in lines
        if not _under(name, MAY_IMPORT_ROOT) and name != ROOT and name not in ENTRY_POINTS
        and _under(target, ("prep_bot.ui", "prep_bot.cli"))
    )
    assert not wrong, "imports that run up into the pages or the command line: " + ", ".join(wrong)


def test_use_cases_sit_between_the_pages_and_the_domain():
    """prep_bot/app is imported by the pages, the command line and the composition root only,
    and imports none of them."""
    graph = import_graph()
    users = sorted(
        name for name, lines in graph.items() for target in lines
        if _under(target, ("prep_bot.app",)) and not _under(name, ("prep_bot.app", *MAY_IMPORT_ROOT)) and name != ROOT
    )
    assert not users, "the domain must not call the use cases: " + ", ".join(users)
    assert any(_under(name, ("prep_bot.app",)) for name in graph), "no use cases found under prep_bot/app"


def test_gradio_is_imported_only_by_the_pages():
    wrong = sorted(
        f"{name} (line {line})" for name, path in modules().items()
        if not _under(name, ("prep_bot.ui",)) and (line := uses_gradio(path)) is not None
    )
    assert not wrong, "gradio imported outside prep_bot/ui: " + ", ".join(wrong)


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_stay_readable(name):
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: past {MAX_LINES} it is two concepts, split it"
