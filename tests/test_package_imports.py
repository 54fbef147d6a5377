"""The package's shape: no two modules import each other, even through others (an import circle
makes the order of imports matter and hides a missing layer), and no module reaches into another's
private names (what starts with _ is that module's own business)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "newsdigest"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, list[tuple[str, str, int]]]:
    """module -> (imported module, imported name or "", line), for imports of the package itself."""
    found: dict[str, list[tuple[str, str, int]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = found.setdefault(name, [])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("newsdigest")]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.startswith("newsdigest"):
                    continue
                for alias in node.names:
                    edges.append((target, alias.name, node.lineno))
    return found


def _resolve(edges, modules):
    """`from . import x` names a module; `from .x import y` names y of module x."""
    graph = {m: set() for m in modules}
    for module, items in edges.items():
        for target, name, _ in items:
            if f"{target}.{name}" in modules:
                graph[module].add(f"{target}.{name}")
            elif target in modules:
                graph[module].add(target)
    return graph


def test_no_import_circle():
    edges = _imports()
    graph = _resolve(edges, set(edges))
    circles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if nxt == node:
                continue
            if state.get(nxt) == "open":
                circles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_no_private_name_is_imported_from_another_module():
    edges = _imports()
    private = [f"{module}:{line} imports {name} from {target}" for module, items in edges.items()
               for target, name, line in items
               if name.startswith("_") and not name.startswith("__") and target != module]
    assert private == []
