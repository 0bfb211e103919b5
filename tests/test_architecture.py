"""The house's rules, read from the source (ast, no imports run):

- floors: api -> services -> models; consent, security and notifications beside them; nothing
  imports upward (models never import services or api; services never import api);
- storage and domain code never import the web framework (flask, flask_jwt_extended, werkzeug):
  they are handed their collaborators (services/context.py);
- services are grouped by domain, with at most six modules at the top of services/;
- the read side of records imports nothing of the write side;
- no import cycle between modules;
- no module of the application or its tests over 300 lines.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPLICATION = ["api", "services", "models", "consent", "security", "notifications"]
FRAMEWORK = ("flask", "flask_jwt_extended", "flask_smorest", "flask_limiter", "werkzeug")
# package -> what it must never import (top-level names)
NEVER = {
    "models": {"api", "services", "consent", "notifications", *FRAMEWORK},
    "services": {"api", *FRAMEWORK},
    "consent": {"api", "services", "models", *FRAMEWORK},
    "security": {"api", "services", "models", "consent", "notifications", *FRAMEWORK},
    "notifications": {"api", "services", "models", *FRAMEWORK},
}
READ_SIDE = ["services/records/reading.py", "services/records/hospital_export.py",
             "services/sharing/shared_access.py"]
WRITE_SIDE = {"services.records.ingest", "services.records.measurements",
              "services.records.storing"}


def modules(*packages: str) -> dict[str, Path]:
    """Dotted module name -> path, for every .py file under the packages."""
    found = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[dotted.removesuffix(".__init__")] = path
    return found


def imports_of(path: Path, dotted: str) -> set[str]:
    """Every module name an import statement in the file names (absolute, as written; a
    `from a import b` names both a and a.b, since b may be a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                parent = dotted.rsplit(".", node.level)[0]
                base = f"{parent}.{base}".rstrip(".")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def module_level_imports(path: Path, known: dict) -> set[str]:
    """The known modules an import run at load time needs (not those inside functions):
    `from a import b` needs a.b when that is a module, else a."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                names.add(sub if sub in known else node.module)
    return names & set(known)


@pytest.mark.parametrize("package", sorted(NEVER))
def test_nothing_imports_upward_or_the_web_framework(package):
    broken = sorted(f"{dotted} imports {name}" for dotted, path in modules(package).items()
                    for name in imports_of(path, dotted)
                    if name.split(".")[0] in NEVER[package])
    assert broken == []


def test_the_check_sees_an_upward_import(tmp_path):
    planted = tmp_path / "bad.py"
    planted.write_text("def f():\n    from flask import current_app\n    return current_app\n")
    assert "flask" in imports_of(planted, "models.bad")


def test_services_are_grouped_by_domain():
    top = sorted(p.stem for p in (ROOT / "services").glob("*.py") if p.stem != "__init__")
    packages = sorted(p.parent.name for p in (ROOT / "services").glob("*/__init__.py"))
    assert len(top) <= 6, top
    assert len(packages) >= 4, packages


@pytest.mark.parametrize("path", READ_SIDE)
def test_the_read_side_imports_nothing_of_the_write_side(path):
    file = ROOT / path
    dotted = ".".join(Path(path).with_suffix("").parts)
    assert imports_of(file, dotted) & WRITE_SIDE == set()


def cycles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle a depth-first walk meets, as the modules around it."""
    cycles, state = [], {}

    def visit(name, trail):
        state[name] = "open"
        for nxt in sorted(graph[name]):
            if state.get(nxt) == "open":
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_no_import_cycle_between_modules():
    found = modules(*APPLICATION)
    graph = {name: module_level_imports(path, found) - {name} for name, path in found.items()}
    assert cycles_in(graph) == []


def test_the_cycle_check_finds_a_planted_cycle():
    assert cycles_in({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]


def test_no_module_over_300_lines():
    files = [*modules(*APPLICATION, "tests").values(), ROOT / "wsgi.py"]
    long = sorted(f"{p.relative_to(ROOT)}: {n}" for p in files
                  if (n := len(p.read_text().splitlines())) > 300)
    assert long == []


def test_every_service_and_repository_loads_without_the_web_framework():
    """Imported in a fresh interpreter, no module under services/ or models/ brings flask,
    flask_jwt_extended or werkzeug in with it (what the domain tests rely on)."""
    import subprocess
    import sys
    names = sorted(modules("services", "models"))
    script = ("import importlib, sys\n"
              f"for name in {names!r}: importlib.import_module(name)\n"
              f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORK!r}))")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert run.stdout.strip() == "[]"
