"""Rules of context-snapshot writes beyond plain text checks: who a write is labelled as, and which
fields a new session may be seeded with. Pure functions; the manager applies them.
"""

from __future__ import annotations

from collections.abc import Mapping

from sessions_app.domain import CHATBOT_AUTHOR, CONTEXT_FIELDS, GUIDANCE_FIELDS
from sessions_app.errors import InvalidInput
from sessions_app.state.validation import check_int, check_label, check_text

# Author labels are stored in 200-character columns of the archive, prefix included.
MAX_AUTHOR_CHARS = 200
# What initialize_session may seed: the client's guidance and which version of it, by whom.
SEED_FIELDS: tuple[str, ...] = (*GUIDANCE_FIELDS, "guidance_version", "guidance_updated_by")


def context_writer(author: str | None, clinician: str | None, guidance_version: int | None) -> str:
    """The author label of a context write.

    ``author`` is the chatbot's own label: stored as ``chatbot:<author>`` (``chatbot`` without one)
    whatever it says, so nothing written through the chatbot's APIs passes for a clinician.
    ``clinician`` (the dashboard's services only) is a username, stored as it is; usernames cannot
    contain ':', so no chatbot label can equal one.
    """
    if clinician is not None:
        if author is not None:
            raise InvalidInput("author", "give the chatbot's author or a clinician, not both")
        name = check_label(clinician, "clinician")
        if ":" in name:
            raise InvalidInput("clinician", "a clinician's username cannot contain ':'")
        if guidance_version is not None:
            check_int(guidance_version, "guidance_version", minimum=1)
        return name
    if guidance_version is not None:
        raise InvalidInput("guidance_version", "only a clinician's write records a guidance version")
    if author is None:
        return CHATBOT_AUTHOR
    label = check_label(author, "author", max_chars=MAX_AUTHOR_CHARS - len(CHATBOT_AUTHOR) - 1)
    if label.startswith(CHATBOT_AUTHOR + ":"):
        return label
    return f"{CHATBOT_AUTHOR}:{label}"


def seed_pairs(context: Mapping[str, str], *, max_chars: int) -> list[str]:
    """A new session's seeded context as field/value pairs for the initialize script, checked like a
    write: guidance texts (may be empty), ``guidance_version`` (digits) and ``guidance_updated_by``."""
    unknown = sorted(set(context) - set(SEED_FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], f"cannot seed {unknown[0]!r}; allowed: {', '.join(SEED_FIELDS)}")
    pairs: list[str] = []
    for name in GUIDANCE_FIELDS:
        if name in context:
            pairs += [name, check_text(context[name], name, max_chars=max_chars, allow_empty=True)]
    if "guidance_version" in context:
        raw = context["guidance_version"]
        if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
            raise InvalidInput("guidance_version", "guidance_version must be a non-negative integer")
        pairs += ["guidance_version", str(int(raw))]
    if "guidance_updated_by" in context:
        pairs += ["guidance_updated_by", check_label(context["guidance_updated_by"], "guidance_updated_by")]
    return pairs


def check_context_fields(fields: Mapping[str, object], *, max_chars: int) -> dict[str, str]:
    """The fields of a context write, checked: known names only, at least one, each a text (may be empty)."""
    unknown = sorted(set(fields) - set(CONTEXT_FIELDS))
    if unknown:
        raise InvalidInput(
            unknown[0], f"unknown context field {unknown[0]!r}; allowed: {', '.join(CONTEXT_FIELDS)}"
        )
    if not fields:
        raise InvalidInput("fields", f"give at least one of: {', '.join(CONTEXT_FIELDS)}")
    return {
        name: check_text(value, name, max_chars=max_chars, allow_empty=True) for name, value in fields.items()
    }


def guidance_marks(checked: Mapping[str, str], writer: str, guidance_version: int | None) -> dict[str, str]:
    """Written with the fields, not part of the edit: who last wrote a guidance field, and which version."""
    marks: dict[str, str] = {}
    if any(name in checked for name in GUIDANCE_FIELDS):
        marks["guidance_updated_by"] = writer
    if guidance_version is not None:
        marks["guidance_version"] = str(guidance_version)
    return marks
