"""The package's house rules, read from its own imports (``ast``, imports inside functions included).

* no import cycle between modules;
* dependencies point down the flow: a module imports only from its own layer or the layers before it;
* light entry points: the CLI and the reports load no estimator, embedder or language stack at import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "avovastaus"

#: the layers in flow order; a module may import from its own layer and the ones before it, never after
LAYERS = ("errors", "qdc", "config", "io", "finnish", "embed", "themes", "stats", "report", "review", "compare", "evaluate", "model", "pipeline", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Return the package modules ``name`` imports anywhere in its source (a package counts as its ``__init__``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("avovastaus"):
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def layer_of(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_every_module_belongs_to_a_layer():
    homeless = sorted(n for n in modules() if n != "avovastaus" and layer_of(n) is None)
    assert not homeless, f"modules outside the declared layers {LAYERS}: {homeless}"


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_imports_point_down_the_flow():
    wrong = sorted(
        f"{a} -> {b}" for a, targets in graph().items() for b in targets
        if layer_of(a) is not None and layer_of(b) is not None and layer_of(b) > layer_of(a)
    )
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_package_inits_load_nothing():
    """A subpackage's ``__init__`` imports none of its modules, so importing one module never drags in its siblings."""
    heavy = {n: sorted(t) for n, t in graph().items() if modules()[n].name == "__init__.py" and t}
    assert not heavy


def test_the_checker_sees_cycles_and_wrong_way_imports():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer_of("avovastaus.report.view") < layer_of("avovastaus.review.state")
    known = {"avovastaus.report", "avovastaus.report.view", "avovastaus.themes.model"}
    source = PACKAGE / "report" / "view.py"
    assert imports_of("avovastaus.report.view", source, known) <= known


#: the estimator, embedding and language stack: what a report, the review app or the CLI's start-up must not pay for
STACK = ("torch", "spacy", "sentence_transformers", "onnxruntime", "faiss", "libvoikko", "avovastaus.themes.model", "avovastaus.embed.backends")


@pytest.mark.parametrize("module, forbidden", [
    ("avovastaus.cli", STACK + ("sklearn", "flask", "openpyxl", "jinja2")),
    ("avovastaus.report.write", STACK + ("sklearn",)),
    ("avovastaus.review.web.app", STACK),  # sklearn.metrics (Cohen's kappa) is allowed here
    ("avovastaus.compare.analysis", STACK),
])
def test_entry_points_import_light(module, forbidden):
    code = f"import sys, {module}; print(','.join(sorted(m for m in {forbidden!r} if m in sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"importing {module} loads {loaded}"
