"""The gate index (sessions_app/risk/detection/gates.py) opens exactly the rules whose gate regex
matches: checked on every sentence of the evaluation sets and on generated text."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_app.risk.detection.gates import GateIndex, alternatives, split_gate
from sessions_app.risk.detection.rules import ALL_RULES, GATES
from sessions_app.risk.detection.text import fold, sentence_bounds
from sessions_app.risk.detection.types import Rule

BENCH = Path(__file__).resolve().parents[2] / "bench"
INDEX = GateIndex(ALL_RULES)


def by_regex(sentence: str) -> list[Rule]:
    """What the engine did before the index: search every gate."""
    return [rule for rule in ALL_RULES if rule.gate is None or rule.gate.search(sentence) is not None]


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def evaluation_sentences() -> list[str]:
    sys.path.insert(0, str(BENCH))
    try:
        fresh = [f"fresh{n}" for n in ("", 2, 3, 4, 5)]
        names = ["risk_turns", "hard_negatives", "ordinary", "conversations", *fresh]
        texts = [
            text
            for name in names
            for attribute in ("RISK", "HARD", "ORDINARY", "CONVERSATIONS", "REPLIES")
            for text in _texts(getattr(importlib.import_module(f"riskset.{name}"), attribute, []))
        ]
    finally:
        sys.path.remove(str(BENCH))
    folded = [fold(text).text for text in texts]
    return [text[start:end] for text in folded for start, end in sentence_bounds(text)]


def test_the_index_opens_the_same_rules_as_the_gate_regexes_on_every_evaluation_sentence() -> None:
    sentences = evaluation_sentences()
    assert len(sentences) > 1000
    opened = 0
    for sentence in sentences:
        expected = by_regex(sentence)
        assert INDEX.open_rules(sentence) == expected, sentence
        opened += len(expected)
    assert opened > len(sentences)  # the sets exercise the gates, not only empty answers


# Text made of the gates' own pieces, so that near misses ("k!ll", "o.d", "can t", "bod") are common.
PIECES = sorted({piece for gate in GATES.values() for piece in re.split(r"[^a-z' ]+", gate) if piece})
WORDS = st.sampled_from([*PIECES, "k!ll", "k1ll", "s*", "o.d", "od", "ill", "bit", "ate", "off", "all"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(alphabet="abdeiklnostu '!*.1", max_size=6)), max_size=8),
       st.sampled_from([" ", "", "-", "'"]))  # fmt: skip
def test_the_index_agrees_with_the_regexes_on_generated_text(words: list[str], joiner: str) -> None:
    sentence = joiner.join(words)
    assert INDEX.open_rules(sentence) == by_regex(sentence)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("change|improve", ["change", "improve"]),
        ("how (?:many|much)", ["how (?:many|much)"]),
        (r"su[i1!*]c|s\*", [r"su[i1!*]c", r"s\*"]),
        (r"a[|]b|c\|d|e", ["a[|]b", r"c\|d", "e"]),
        ("[]|]x|y", ["[]|]x", "y"]),
    ],
)
def test_alternatives_split_only_at_the_top_level(pattern: str, expected: list[str]) -> None:
    assert alternatives(pattern) == expected
    assert re.compile("|".join(expected)).pattern == pattern


def test_a_gate_splits_into_literals_and_one_smaller_regex() -> None:
    split = split_gate(re.compile(r"kill|k[1!*]ll|unalive|\boff"))
    assert split is not None
    assert split.literals == {"kill", "unalive"}
    assert split.rest == r"k[1!*]ll|\boff"
    assert split_gate(re.compile("kill", re.IGNORECASE)) is None  # a flag: searched as it is


def test_literals_are_found_by_their_first_characters_short_ones_too() -> None:
    category = ALL_RULES[0].category
    gates = [r"od|overdose|pills?", r"\bnoose|rope", None]
    rules = [
        Rule(id=f"g{n}", category=category, pattern=re.compile("x"), gate=re.compile(g) if g else None)
        for n, g in enumerate(gates)
    ]
    index = GateIndex(rules)
    opened = {
        sentence: [rule.id for rule in index.open_rules(sentence)]
        for sentence in ("a good day", "the pill bottle", "a rope swing", "noose", "nothing here", "overdos")
    }
    assert opened == {
        "a good day": ["g0", "g2"],  # "od" (shorter than a prefix) inside "good"
        "the pill bottle": ["g0", "g2"],
        "a rope swing": ["g1", "g2"],
        "noose": ["g1", "g2"],
        "nothing here": ["g2"],
        "overdos": ["g2"],  # a prefix present ("ove") without its literal
    }
    for sentence in opened:
        assert index.open_rules(sentence) == [
            rule for rule in rules if rule.gate is None or rule.gate.search(sentence) is not None
        ]
