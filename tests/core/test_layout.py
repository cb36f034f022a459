"""The code's shape: no import cycle among the project's modules (imports inside functions and under
TYPE_CHECKING counted), and no branch on a case's number outside linreg_core/cases/ (what varies by case is a
fact of the case: linreg_core/cases/facts.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from linreg_core.cases import CASE, trainer_class

ROOT = Path(__file__).parents[2]
PACKAGES = ("linreg_core", "tui_app")


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports anywhere in its file (a package's own submodules aside)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not target.startswith(name + ".") \
                    and not (name.startswith(target + ".") and known[target].name == "__init__.py"):
                found.add(target)
    return found


def test_no_import_cycle() -> None:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def _is_case(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "case") or (isinstance(node, ast.Attribute)
                                                                   and node.attr == "case")


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_number(e) for e in node.elts)
    return isinstance(node, ast.Constant) and isinstance(node.value, int)


def test_no_branch_on_a_case_number_outside_the_cases() -> None:
    found = []
    for name, path in modules().items():
        if name.startswith("linreg_core.cases"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(_is_case(a) for a in sides) and any(_is_number(b) for b in sides):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found


@pytest.mark.parametrize("number", sorted(CASE))
def test_a_cases_facts_agree_with_its_trainer(number: int) -> None:
    facts = CASE[number]
    cls = trainer_class(number)
    assert cls.case == number and cls.__module__ == f"linreg_core.cases.{facts.module}"
    source = Path(__import__(cls.__module__, fromlist=["x"]).__file__).read_text()  # type: ignore[arg-type]
    assert ("import torch" in source) == facts.torch
    assert ("nn.Module" in source) == facts.model and ("make_optimizer" in source) == facts.torch_loss
