"""Which rules a sentence can match, decided for all rules in one pass over their gates.

A gate (``rules.GATES``) is an alternation of stems without which a rule cannot match. Searching 89
gate regexes per sentence was most of an ordinary turn's cost: ``re`` tries every alternative at
every position. But an alternation matches somewhere exactly when one of its alternatives does, and
an alternative without regex syntax (``change``, ``no point``) matches exactly where it is a
substring. So each distinct literal alternative of every gate is looked for once per sentence with
``in``; what is left of a gate (``k[1!*]ll|\\boff``) becomes one smaller regex, searched once per
sentence however many gates share it. A gate passes when one of its literals is present or its
remainder matches: the same answer as searching the whole gate (``tests/risk/test_gates.py`` checks
it for every gate on every sentence of the evaluation sets).

Nearly 300 literals tested one by one with ``in`` still cost a Python loop per sentence. A literal can
only be in a sentence whose three-character pieces include the literal's first three, so literals are
filed under that prefix and only those filed under a prefix the sentence contains are tested.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sessions_app.risk.detection.types import Rule

_REGEX_SYNTAX = frozenset(".^$*+?{}[]\\|()")
PREFIX = 3  # characters of a literal it is filed under


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex: ``|`` inside a group, a class or an escape does not split."""
    parts: list[str] = []
    depth = 0
    in_class = False
    start = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # "[]...]": a leading ] belongs to the class
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


@dataclass(frozen=True)
class SplitGate:
    literals: frozenset[str]  # alternatives that are plain text
    rest: str | None  # the other alternatives as one regex, or None


def split_gate(gate: re.Pattern[str]) -> SplitGate | None:
    """A gate's literal alternatives and the rest; ``None`` when flags make literals unsafe to test with ``in``."""
    if gate.flags & ~re.UNICODE:
        return None
    literals: set[str] = set()
    rest: list[str] = []
    for alternative in alternatives(gate.pattern):
        if alternative and not _REGEX_SYNTAX & set(alternative):
            literals.add(alternative)
        else:
            rest.append(alternative)
    return SplitGate(frozenset(literals), "|".join(rest) if rest else None)


class GateIndex:
    def __init__(self, rules: Sequence[Rule]) -> None:
        self._rules = tuple(rules)
        by_literal: dict[str, list[int]] = {}
        by_rest: dict[str, list[int]] = {}
        always: list[int] = []  # no gate
        self._whole: list[tuple[int, re.Pattern[str]]] = []  # gates searched as they are
        for position, rule in enumerate(rules):
            split = None if rule.gate is None else split_gate(rule.gate)
            if rule.gate is None:
                always.append(position)
            elif split is None:
                self._whole.append((position, rule.gate))
            else:
                for literal in split.literals:
                    by_literal.setdefault(literal, []).append(position)
                if split.rest is not None:
                    by_rest.setdefault(split.rest, []).append(position)
        self._always = frozenset(always)
        by_prefix: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        self._short: list[tuple[str, tuple[int, ...]]] = []  # literals under PREFIX characters
        for literal, found in sorted(by_literal.items()):
            if len(literal) < PREFIX:
                self._short.append((literal, tuple(found)))
            else:
                by_prefix.setdefault(literal[:PREFIX], []).append((literal, tuple(found)))
        self._by_prefix = {prefix: tuple(filed) for prefix, filed in by_prefix.items()}
        self._prefixes = frozenset(by_prefix)  # a set meets a frozenset twice as fast as dict keys
        self._by_rest = [(re.compile(rest), tuple(found)) for rest, found in sorted(by_rest.items())]

    def open_rules(self, sentence: str) -> list[Rule]:
        """The rules whose gate the sentence passes (a rule without a gate always), in rule order."""
        open_ = set(self._always)
        pieces = {sentence[i : i + PREFIX] for i in range(len(sentence) - PREFIX + 1)}
        for prefix in pieces & self._prefixes:
            for literal, positions in self._by_prefix[prefix]:
                if literal in sentence:
                    open_.update(positions)
        for literal, positions in self._short:
            if literal in sentence:
                open_.update(positions)
        for regex, positions in self._by_rest:
            if regex.search(sentence) is not None:
                open_.update(positions)
        for position, gate in self._whole:
            if gate.search(sentence) is not None:
                open_.add(position)
        rules = self._rules
        return [rules[position] for position in sorted(open_)]
