"""The README names only what exists: every Python name, import, file path and package it documents."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
OURS = ("sessions_app", "exports_app", "ifemotion")
TOP_DIRS = (
    "sessions_app/",
    "exports_app/",
    "ifemotion/",
    "tests/",
    "bench/",
    "deploy/",
    "templates/",
    "static/",
)

# `sessions_app.state.configured.get_state_manager()`, `sessions_app.access.check_client_access(user, ...)`
DOTTED = re.compile(r"`((?:%s)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)" % "|".join(OURS))  # noqa: UP031
PATH = re.compile(r"`((?:%s)[^`\s]*)`" % "|".join(re.escape(d) for d in TOP_DIRS))  # noqa: UP031
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
_OURS = "|".join(OURS)
IMPORT = re.compile(rf"^(?:from\s+(?:{_OURS})[\w.]*\s+import\s+.+|import\s+(?:{_OURS})[\w.]*.*)$")


def resolve(dotted: str) -> object:
    """The object a dotted name documents: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


# Dotted names in the README that are logger names, not Python objects.
LOGGERS = {"ifemotion.security"}


def documented_names() -> list[str]:
    return sorted(set(DOTTED.findall(README)) - LOGGERS)


def documented_imports() -> list[str]:
    lines = []
    for block in CODE_BLOCK.findall(README):
        lines += [line.strip() for line in block.splitlines() if IMPORT.match(line.strip())]
    return lines


def documented_paths() -> list[str]:
    return sorted({p.rstrip(".,;:") for p in PATH.findall(README) if "<" not in p})


def layout_section() -> str:
    return README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_documents_the_public_names() -> None:
    names = documented_names()
    for public in (
        "sessions_app.state.ConversationStateManager",
        "sessions_app.state.client_from_url",
        "sessions_app.state.configured.get_state_manager",
        "sessions_app.repository",
    ):
        assert any(name.startswith(public) for name in names), public
    assert "from sessions_app.state import ConversationStateManager, client_from_url, state_to_json" in (
        documented_imports()
    )


@pytest.mark.parametrize("name", documented_names())
def test_every_python_name_the_readme_documents_exists(name: str) -> None:
    assert resolve(name) is not None


def test_the_loggers_the_readme_names_are_used() -> None:
    sources = "".join(p.read_text() for app in OURS for p in (ROOT / app).rglob("*.py"))
    for name in LOGGERS:
        assert f'getLogger("{name}")' in sources, name


@pytest.mark.parametrize("statement", documented_imports())
def test_every_import_in_the_readme_examples_works(statement: str) -> None:
    exec(compile(statement, "README.md", "exec"), {})  # noqa: S102 - our own README's import lines


def test_the_public_names_are_exported_by_their_packages() -> None:
    import sessions_app.repository as repository
    import sessions_app.state as state

    assert {"ConversationStateManager", "AppendResult", "client_from_url", "state_to_json"} <= set(
        state.__all__
    )
    assert {"get_session", "get_history", "search_messages", "search_citations"} <= set(repository.__all__)
    for name in ("get_session", "get_history", "search_messages", "search_citations"):
        assert callable(getattr(repository, name))


@pytest.mark.parametrize("path", documented_paths())
def test_every_file_path_the_readme_names_exists(path: str) -> None:
    matches = list(ROOT.glob(path.rstrip("/"))) if "*" in path else [ROOT / path.rstrip("/")]
    assert matches, path
    assert all(m.exists() for m in matches), path


def test_the_layout_names_existing_rooms_and_every_package() -> None:
    layout = layout_section()
    rooms = re.findall(r"^([a-z_]+/(?:[a-z_]+/)*(?:[a-z_]+\.py)?)\s", layout, flags=re.MULTILINE)
    assert len(rooms) >= 10
    for room in rooms:
        assert (ROOT / room).exists(), room
    for app in ("sessions_app", "exports_app", "ifemotion"):
        for package in sorted((ROOT / app).iterdir()):
            is_room = (package / "__init__.py").exists() and package.name not in ("migrations", "__pycache__")
            if is_room:
                assert f"{package.name}/" in layout, (
                    f"{app}/{package.name}/ is missing from the README's Layout"
                )


def test_no_old_module_path_is_left_in_the_readme() -> None:
    for old in (
        "sessions_app.service",
        "sessions_app.redis_conn",
        "sessions_app/api.py",
        "sessions_app/views.py",
        "sessions_app/state.py",
        "sessions_app/repository.py",
        "search_index",
        "scripts/*.lua",
    ):
        assert old not in README, old
