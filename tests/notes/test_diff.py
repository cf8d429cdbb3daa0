"""Line diffs and the merge proposal of a conflict: the colleague's text is always kept whole and in
order, every line of mine that is new sits in a marked block, and nothing is decided silently."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_app.notes.diff import line_diff, merge_proposal
from sessions_app.notes.text import MERGE_END, MERGE_START

lines = st.lists(st.sampled_from(["a", "b", "c", "d", "plan: sleep", "", "- item"]), max_size=8)


def text(parts: list[str]) -> str:
    return "\n".join(parts)


def split(value: str) -> list[str]:
    """Lines as the module sees them: the empty text has none."""
    return value.split("\n") if value else []


def without_my_blocks(proposal: str) -> list[str]:
    out, inside = [], False
    for line in proposal.split("\n") if proposal else []:
        if line.startswith(MERGE_START):
            inside = True
        elif line.startswith(MERGE_END):
            inside = False
        elif not inside:
            out.append(line)
    return out


def test_the_conflict_of_two_rewrites_keeps_theirs_and_marks_mine() -> None:
    proposal = merge_proposal("first notes", "Alice: discussed sleep.", "Bob: discussed work.")
    assert proposal.split("\n") == [
        "Alice: discussed sleep.",
        f"{MERGE_START}: keep, edit or delete, then remove this line",
        "Bob: discussed work.",
        f"{MERGE_END}: remove this line",
    ]


def test_my_change_is_placed_where_it_belongs_in_their_text() -> None:
    proposal = merge_proposal("a\nb\nc", "a\nb\nc\nd by alice", "a by bob\nb\nc")
    assert proposal.split("\n") == [
        "a",
        f"{MERGE_START}: keep, edit or delete, then remove this line",
        "a by bob",
        f"{MERGE_END}: remove this line",
        "b",
        "c",
        "d by alice",
    ]


def test_a_deletion_of_mine_is_shown_not_applied() -> None:
    proposal = merge_proposal("a\nb\nc", "a\nB\nc", "a\nc").split("\n")
    assert "B" in proposal  # their line stays
    assert f"{MERGE_START}: you deleted these lines of the earlier text:" in proposal
    assert "- b" in proposal


def test_without_changes_of_mine_the_proposal_is_their_text() -> None:
    assert merge_proposal("same", "theirs", "same") == "theirs"


@settings(max_examples=300, deadline=None)
@given(lines, lines, lines)
def test_their_text_survives_whole_and_my_new_lines_are_all_there(
    base: list[str], theirs: list[str], mine: list[str]
) -> None:
    proposal = merge_proposal(text(base), text(theirs), text(mine))
    assert without_my_blocks(proposal) == split(text(theirs))
    shown = proposal.split("\n")
    for line in split(text(mine)):
        if line not in split(text(base)):
            assert line in shown
    assert proposal.count(MERGE_START) == proposal.count(MERGE_END)
    if text(mine) == text(base):
        assert MERGE_START not in proposal


def test_line_diff_marks_every_line() -> None:
    diff = line_diff("a\nb\nc", "a\nB\nc\nd")
    assert [(d.sign, d.text, d.old_number, d.new_number) for d in diff] == [
        (" ", "a", 1, 1),
        ("-", "b", 2, None),
        ("+", "B", None, 2),
        (" ", "c", 3, 3),
        ("+", "d", None, 4),
    ]


@settings(max_examples=200, deadline=None)
@given(lines, lines)
def test_line_diff_rebuilds_both_texts(old: list[str], new: list[str]) -> None:
    diff = line_diff(text(old), text(new))
    assert [d.text for d in diff if d.kind != "added"] == split(text(old))
    assert [d.text for d in diff if d.kind != "removed"] == split(text(new))
