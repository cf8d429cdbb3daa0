"""Line diffs between two texts, and the merge proposal of a conflict (pure functions).

The merge proposal is what a clinician whose save was refused starts from: the colleague's saved text
as it is, with each change this clinician made (relative to the text they started from) inserted as a
marked block at the place it belongs. Nothing of either text is left out and nothing is decided for
them; the marker lines must be removed before the merged note can be saved (``text.check_no_merge_markers``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from sessions_app.notes.text import MERGE_END, MERGE_START

Hunk = tuple[int, int, int, int]  # base[i1:i2] became other[j1:j2]


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "removed" | "added"
    text: str
    old_number: int | None
    new_number: int | None

    @property
    def sign(self) -> str:
        return {"same": " ", "removed": "-", "added": "+"}[self.kind]


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


Opcodes = Sequence[tuple[str, int, int, int, int]]


def _opcodes(a: list[str], b: list[str]) -> Opcodes:
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def line_diff(old: str, new: str) -> list[DiffLine]:
    """Every line of both texts, in order, marked same / removed / added."""
    a, b = _lines(old), _lines(new)
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag == "equal":
            out += [DiffLine("same", a[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2)]
            continue
        out += [DiffLine("removed", a[i], i + 1, None) for i in range(i1, i2)]
        out += [DiffLine("added", b[j], None, j + 1) for j in range(j1, j2)]
    return out


def diff_counts(lines: list[DiffLine]) -> tuple[int, int]:
    """(added, removed) line counts."""
    return sum(d.kind == "added" for d in lines), sum(d.kind == "removed" for d in lines)


def _boundary(opcodes: Opcodes, k: int) -> int:
    """Where the boundary before base line ``k`` falls in the other text (after any change there)."""
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal" and i1 <= k <= i2:
            return j1 + (k - i1)
        if tag != "equal" and i1 <= k <= i2 and (k > i1 or i1 == i2):
            return j2
    return sum(j2 - j1 for tag, _, _, j1, j2 in opcodes if tag != "delete") if opcodes else 0


def merge_proposal(base: str, theirs: str, mine: str) -> str:
    """The colleague's text (``theirs``) with each of my changes since ``base`` as a marked block."""
    b, t, m = _lines(base), _lines(theirs), _lines(mine)
    mine_hunks: list[Hunk] = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in _opcodes(b, m) if tag != "equal"]
    if not mine_hunks:
        return theirs
    to_theirs = _opcodes(b, t)
    inserts: list[tuple[int, list[str]]] = []
    for i1, i2, j1, j2 in mine_hunks:
        at = _boundary(to_theirs, i2)
        if j1 == j2:
            block = [f"{MERGE_START}: you deleted these lines of the earlier text:"]
            block += [f"- {line}" for line in b[i1:i2]]
        else:
            block = [f"{MERGE_START}: keep, edit or delete, then remove this line", *m[j1:j2]]
        inserts.append((at, [*block, f"{MERGE_END}: remove this line"]))
    merged = list(t)
    for at, block in sorted(inserts, key=lambda item: item[0], reverse=True):
        merged[at:at] = block
    return "\n".join(merged)
