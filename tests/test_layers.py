"""The package's layers: each folder imports only the folders below it (docs/architecture.md).

Imports are read from the source with ``ast``; those under ``if TYPE_CHECKING:`` name types for
annotations only and are left out, so a lower layer may describe an upper one's type but never
load it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "graphsvc"

ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "vocab": frozenset(),
    "settings": frozenset({"errors"}),
    "engine": frozenset({"errors", "settings"}),
    "store": frozenset({"errors", "settings", "vocab", "engine"}),
    "http": frozenset({"errors", "settings", "store"}),
    "model": frozenset({"errors", "settings", "vocab", "store"}),
    "recommend": frozenset({"errors", "settings", "vocab", "store", "model"}),
    "synthetic": frozenset({"errors", "settings", "vocab", "store", "model", "recommend"}),
    "edit": frozenset({"errors", "settings", "vocab", "store", "model", "recommend"}),
    "feed": frozenset({"errors", "settings", "vocab", "store", "model", "edit"}),
    "services": frozenset(
        {"errors", "settings", "vocab", "store", "model", "recommend", "edit", "feed"}
    ),
    "api": frozenset(
        {"errors", "settings", "vocab", "store", "model", "recommend", "edit", "feed", "services"}
    ),
    "api.server": frozenset({"errors", "settings", "http", "edit", "services", "api"}),
    "web": frozenset(
        {
            "errors",
            "settings",
            "vocab",
            "engine",
            "store",
            "http",
            "model",
            "recommend",
            "feed",
            "services",
        }
    ),
}
"""What each folder (or top-level module) may import; ``app`` and ``cli`` assemble everything."""

TOP = frozenset({"app", "cli", "__init__", "__main__"})


def layer_of(module: str) -> str | None:
    """``graphsvc.api.server.view`` -> ``api.server``; ``graphsvc.store.base`` -> ``store``."""
    parts = module.split(".")
    if parts[0] != "graphsvc" or len(parts) < 2:
        return None
    if parts[1] == "api" and len(parts) > 2 and parts[2] == "server":
        return "api.server"
    return parts[1]


def _runtime_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, except those in ``if TYPE_CHECKING:`` blocks."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        pending.extend(ast.iter_child_nodes(node))


def imports() -> Iterator[tuple[str, str, str]]:
    """(file, its layer, the layer it imports) for every runtime import inside the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts)
        own = layer_of(module if path.name != "__init__.py" else module + ".x")
        if own is None:
            continue
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                [node.module]
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for target in targets:
                layer = layer_of(target)
                if layer is not None and layer != own and layer not in TOP:
                    yield str(relative), own, layer


def test_every_import_goes_down_a_layer() -> None:
    wrong = sorted(
        f"{path} ({own}) imports {layer}"
        for path, own, layer in imports()
        if own not in TOP and layer not in ALLOWED.get(own, frozenset())
    )
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_rules_have_no_cycle() -> None:
    """The table itself is a strict order: no layer may reach itself through others."""

    def reach(layer: str, seen: frozenset[str]) -> frozenset[str]:
        found = set(seen)
        for lower in ALLOWED.get(layer, frozenset()):
            if lower not in found:
                found |= reach(lower, frozenset(found | {lower}))
        return frozenset(found)

    for layer in ALLOWED:
        assert layer not in reach(layer, frozenset()), layer


def test_every_layer_is_known() -> None:
    found = {own for _, own, _ in imports()} | {layer for _, _, layer in imports()}
    assert found - TOP <= set(ALLOWED), sorted(found - TOP - set(ALLOWED))
