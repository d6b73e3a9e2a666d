"""The layout rules of docs/design.md, checked on the source: no import cycle (lazy imports
included), imports flow worker -> parsers/storage -> parsers, Celery only in worker.daemon,
at most 10 modules at the top of worker/, no file over 400 lines."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("parsers", "storage", "worker")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            rel = path.relative_to(REPO).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Project modules imported by a file at run time (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def resolve(mod: str) -> str | None:
        while mod and mod not in known:
            mod = mod.rpartition(".")[0]
        return mod or None

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if (m := resolve(alias.name)) is not None:
                        found.add(m)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    m = full if full in known else resolve(child.module)
                    if m is not None:
                        found.add(m)
            visit(child)

    visit(tree)
    found.discard(name)
    return found


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(path, name, known) for name, path in known.items()}


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def dfs(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                dfs(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            dfs(node, [])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_imports_flow_one_way() -> None:
    bad = []
    for name, deps in _graph().items():
        top = name.split(".")[0]
        for dep in deps:
            dtop = dep.split(".")[0]
            if top == "parsers" and dtop != "parsers":
                bad.append(f"{name} -> {dep}")
            if top == "storage" and dtop == "worker":
                bad.append(f"{name} -> {dep}")
    assert not bad, "imports against the flow:\n" + "\n".join(sorted(bad))


def test_only_the_daemon_imports_celery() -> None:
    offenders = []
    for name, path in _modules().items():
        if name.startswith("worker.daemon"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m.split(".")[0] in ("celery", "kombu", "redbeat") for m in mods):
                offenders.append(name)
    assert not offenders, f"Celery imported outside worker.daemon: {sorted(set(offenders))}"


def test_worker_top_level_is_small() -> None:
    top = [p.name for p in (REPO / "worker").glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= 10, sorted(top)


@pytest.mark.parametrize("pkg", PACKAGES + ("tests", "bench"))
def test_no_file_over_400_lines(pkg: str) -> None:
    long = {str(p.relative_to(REPO)): n for p in (REPO / pkg).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long
