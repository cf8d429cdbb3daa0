"""The dependencies in pyproject.toml tell the truth, and requirements.lock pins every one of them.

Runtime dependencies are exactly the distributions product code imports (statements, lazy imports
and the dotted paths Django loads from settings), plus the few it needs without importing them, each
with its reason. Everything tests, benchmarks and the lint step import is declared (runtime or dev).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {
    "ifemotion",
    "sessions_app",
    "exports_app",
    "tests",
    "bench",
    "manage",
    "riskset",
    "timing",
}  # riskset, timing: in bench/
PRODUCT = [ROOT / "ifemotion", ROOT / "sessions_app", ROOT / "exports_app", ROOT / "manage.py"]
# Development tools inside the product's packages: they run only from a development install.
DEV_TOOLS = {
    ROOT / "ifemotion" / "devserver.py": "`make run`; imports fakeredis when redis-server is missing",
    ROOT / "ifemotion" / "pytest_plugin.py": "loaded by pytest only",
}
# Runtime dependencies that product code needs without an import statement of its own.
NOT_IMPORTED = {
    "psycopg": "Django's PostgreSQL backend loads it when DATABASE_URL names PostgreSQL",
    "gunicorn": "the production web server (deploy/gunicorn.conf.py), run as a command",
}
# Imported only for an optional feature an operator sets up, never installed by us, each with its reason.
OPTIONAL_IMPORTS = {
    "sentence_transformers": "CHROMA_EMBEDDING=local with a PyTorch model directory (README: Search)",
}
# Development dependencies used as commands rather than imported.
DEV_COMMANDS = {
    "ruff": "make lint",
    "mypy": "make lint",
    "django-stubs": "mypy's Django plugin (make lint)",
    "types-markdown": "type stubs for mypy",
    "types-tqdm": "type stubs for mypy",
    "types-jsonschema": "type stubs for mypy",
    "uv": "make lock",
    "bandit": "make lint",
}
DOTTED_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    assert match, spec
    return canonical(match.group(1))


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {requirement_name(spec) for spec in project["dependencies"]}
    dev = {requirement_name(spec) for spec in project["optional-dependencies"]["dev"]}
    return runtime, dev


def python_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [f for f in files if ".venv" not in f.parts and "node_modules" not in f.parts]


def imported_modules(files: Iterable[Path]) -> dict[str, set[Path]]:
    """Top-level module names imported anywhere in the files (also inside functions, and
    ``pytest.importorskip("name")``), without the standard library and our own packages."""
    found: dict[str, set[Path]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "importorskip"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names = [str(node.args[0].value)]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY and top != "__future__":
                    found.setdefault(top, set()).add(path)
    return found


def settings_modules() -> set[str]:
    """Top-level modules Django imports from dotted paths in settings (apps, middleware, backends)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str) and DOTTED_PATH.match(value):
            found.add(value.split(".")[0])
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for name in ("INSTALLED_APPS", "MIDDLEWARE", "AUTHENTICATION_BACKENDS", "CACHES", "TEMPLATES"):
        walk(getattr(settings, name))
    return {m for m in found if m not in sys.stdlib_module_names and m not in FIRST_PARTY}


def distributions(modules: Iterable[str]) -> dict[str, str]:
    """Module → the distribution that provides it (as installed)."""
    providers = importlib.metadata.packages_distributions()
    result: dict[str, str] = {}
    for module in sorted(set(modules) - set(OPTIONAL_IMPORTS)):
        names = providers.get(module)
        assert names, f"no installed distribution provides {module!r}"
        result[module] = canonical(names[0])
    return result


def test_runtime_dependencies_are_exactly_what_product_code_imports() -> None:
    runtime, _ = declared()
    product_files = [f for f in python_files(PRODUCT) if f not in DEV_TOOLS]
    modules = set(imported_modules(product_files)) | settings_modules()
    imported = set(distributions(modules).values())

    assert imported - runtime == set(), "imported by product code but not a runtime dependency"
    assert runtime - imported - set(NOT_IMPORTED) == set(), "runtime dependency no product code imports"
    assert set(NOT_IMPORTED) <= runtime


def test_development_tools_inside_the_packages_import_only_declared_distributions() -> None:
    runtime, dev = declared()
    used = set(distributions(imported_modules(DEV_TOOLS)).values())
    assert used - runtime - dev == set()


def test_everything_tests_and_benchmarks_import_is_declared() -> None:
    runtime, dev = declared()
    files = python_files([ROOT / "tests", ROOT / "bench"])
    imported = set(distributions(imported_modules(files)).values())

    assert imported - runtime - dev == set(), "imported by tests or benchmarks but not declared"
    unused_dev = dev - imported - set(DEV_COMMANDS)
    assert unused_dev == set(), "dev dependency nothing imports or runs"


def test_the_lock_file_pins_every_declared_dependency_exactly() -> None:
    runtime, dev = declared()
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[requirement_name(name)] = version.split(";")[0].strip()
    assert runtime | dev <= set(pins), "declared but missing from requirements.lock: run `make lock`"


def test_apis_we_depend_on_are_upper_bounded() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    every = project["dependencies"] + project["optional-dependencies"]["dev"]
    specs = {requirement_name(spec): spec for spec in every}
    assert "<71" in specs["weasyprint"]  # URLFetcher and write_pdf(pdf_variant=...) as we call them
    assert "<5.3" in specs["django"]
    assert "<5.3" in specs["django-stubs"]  # the stubs of the Django we run
