"""The import rules of `sns/` (docs/architecture.md, "How the app is assembled"), read from the source with `ast`:

- at most two import cycles among the modules' own imports (those run when a module is imported: not the
  ones inside functions, nor those under `if TYPE_CHECKING:`);
- no import done for its side effect (`# noqa: F401` on a module imported so that it registers something):
  what a part adds to the site is named in the manifest, sns/areas.py;
- no import of `sns` inside a function, except where there is a reason other than dodging a cycle: the
  `sns` command's modules (each command loads only what it needs, so `sns --help` starts fast) and
  migrations (they run against the code of their day).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SNS = Path(__file__).resolve().parents[2] / "sns"
MOST_CYCLES = 2
# Imports inside functions are allowed here, for the reason given in the module docstring.
LATE_IMPORTS_ALLOWED = ("sns.cli", "sns.cli_common", "sns.cli_mirror", "sns.cli_restore", "sns.migrations.")


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in SNS.rglob("*.py"):
        parts = list(path.relative_to(SNS.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path, package)
    return found


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, *, in_functions: bool) -> list[ast.Import | ast.ImportFrom]:
    """The imports run when the module is imported (or, with `in_functions`, those inside functions)."""
    found: list = []

    def walk(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                for other in child.orelse:
                    walk(other, inside)
                continue
            now_inside = inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                if inside == in_functions:
                    found.append(child)
                continue
            walk(child, now_inside)

    walk(tree, False)
    return found


def _targets(module: str, package: bool, node: ast.Import | ast.ImportFrom, modules: dict) -> set[str]:
    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    if isinstance(node, ast.Import):
        return {t for a in node.names if a.name.startswith("sns") and (t := known(a.name))}
    if node.level:
        base = module.split(".") if package else module.split(".")[:-1]
        base = base[:len(base) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if not (source == "sns" or source.startswith("sns.")):
        return set()
    out = set()
    for alias in node.names:
        name = f"{source}.{alias.name}"
        target = name if name in modules else known(source)
        if target:
            out.add(target)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for module, (path, package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {t for node in _imports(tree, in_functions=False)
                         for t in _targets(module, package, node, modules)} - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return sorted(found)


def test_cycles_are_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}) == [["a", "b", "c"]]


def test_at_most_two_import_cycles():
    found = cycles(import_graph())
    assert len(found) <= MOST_CYCLES, "import cycles in sns/ (at most %d):\n%s" % (
        MOST_CYCLES, "\n".join(" -> ".join(c) for c in found))


def test_no_import_for_its_side_effect():
    """A `# noqa: F401` import of a module (not of names it re-exports) is there only to run it: to register."""
    modules = _modules()
    found = []
    for module, (path, package) in modules.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            text = "\n".join(lines[node.lineno - 1:node.end_lineno])
            if not re.search(r"noqa:[^\n]*F401", text):
                continue
            whole_modules = [a.name for a in node.names if a.name != "*" and (
                isinstance(node, ast.Import) or f"{node.module}.{a.name}" in modules)]
            if whole_modules or re.search(r"regist", text, re.I):
                found.append(f"{path.relative_to(SNS.parent)}:{node.lineno}: {text.strip()}")
    assert not found, "imports made for their side effect (name the part in sns/areas.py instead):\n" + "\n".join(found)


def test_no_late_imports_of_sns():
    """Imports inside functions only where there is a reason (module docstring), not to dodge a cycle."""
    modules = _modules()
    found = []
    for module, (path, package) in modules.items():
        if module.startswith(LATE_IMPORTS_ALLOWED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree, in_functions=True):
            if _targets(module, package, node, modules):
                found.append(f"{path.relative_to(SNS.parent)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "imports of sns inside functions (move them to the top):\n" + "\n".join(found)
