"""``assess(text, *, context=())``: run every rule on every sentence, drop the matches a filter explains
away, keep the most severe, and fall back to reading a short reply against the question before it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sessions_app.risk.detection import replies
from sessions_app.risk.detection.filters.framing import idiom_at, in_other_frame
from sessions_app.risk.detection.filters.negation import negated
from sessions_app.risk.detection.filters.past import declared_over, distant_past, resolved
from sessions_app.risk.detection.filters.person import about_someone_else
from sessions_app.risk.detection.gates import GateIndex
from sessions_app.risk.detection.rules import ALL_RULES
from sessions_app.risk.detection.text import Folded, fold, sentence_bounds
from sessions_app.risk.detection.types import (
    CATEGORY_PRIORITY,
    DEFAULT_SEVERITY,
    NOT_FLAGGED,
    SEVERITY_RANK,
    Assessment,
    Rule,
    Severity,
)

logger = logging.getLogger(__name__)

CONTEXT_TURNS = 6  # how many preceding turns a reply is read against
EXCERPT_CHARS = 400
MAX_TRIES_PER_RULE = 8  # a flag keeps at most the matched sentence, cut around the match beyond this
_GATES = GateIndex(ALL_RULES)
_SELF_WORDS = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|myself)\b")


@dataclass(frozen=True)
class Match:
    rule: Rule
    severity: Severity
    start: int  # in the folded text
    end: int
    sentence: tuple[int, int]


def assess(text: str, *, context: Iterable[str] = ()) -> Assessment:
    """Assess one client message; ``context`` is the preceding turns' texts, oldest first.

    Never raises: any input that is not a ``str`` is not flagged, and an internal error is logged by
    type only (never the text) and answered as not flagged.
    """
    if not isinstance(text, str):
        return NOT_FLAGGED
    try:
        turns = [turn for turn in list(context)[-CONTEXT_TURNS:] if isinstance(turn, str)]
        return _assess(text, turns)
    except Exception as exc:  # the detector must never break the write path that calls it
        logger.error("risk assessment failed: %s", type(exc).__name__)
        return NOT_FLAGGED


def _assess(text: str, context: list[str]) -> Assessment:
    folded = fold(text)
    matches, suppressed = _matches(folded, context)
    if matches:
        best = max(
            matches, key=lambda m: (SEVERITY_RANK[m.severity], CATEGORY_PRIORITY[m.rule.category], -m.start)
        )
        return _assessment(folded, best.rule.id, best.rule.category, best.severity, best.start, best.end,
                           best.sentence)  # fmt: skip
    folded_context = [fold(turn).text for turn in context]
    answered = replies.reply_in_context(
        folded.text.strip(), folded_context, risky=lambda turn: bool(_matches(fold(turn), [])[0])
    )
    if answered is not None:
        topic, rule_id = answered
        stripped = folded.text.strip()
        start = folded.text.find(stripped) if stripped else 0
        end = start + len(stripped)
        return _assessment(folded, rule_id, topic.category, topic.severity, start, end, (start, end))
    named = replies.named_in_reply(folded.text.strip(), folded_context)
    if named is not None:
        category, rule_id = named
        stripped = folded.text.strip()
        start = folded.text.find(stripped) if stripped else 0
        severity = DEFAULT_SEVERITY[category]
        return _assessment(
            folded, rule_id, category, severity, start, start + len(stripped), (start, start + len(stripped))
        )
    return Assessment(flagged=False, suppressed=suppressed)


def _matches(folded: Folded, context: list[str]) -> tuple[list[Match], str | None]:
    text = folded.text
    found: list[Match] = []
    suppressed: str | None = None
    is_resolved: bool | None = None
    for bounds in sentence_bounds(text):
        sentence = text[bounds[0] : bounds[1]]
        if not sentence.strip():
            continue
        for rule in _GATES.open_rules(sentence):
            tried = 0
            for hit in rule.pattern.finditer(sentence):
                tried += 1
                if tried > MAX_TRIES_PER_RULE:
                    break  # a sentence repeating one phrase: its first matches tell the story
                reason = _why_not(rule, sentence, hit, text, context)
                if reason is not None:
                    suppressed = reason
                    continue
                severity = rule.level
                if distant_past(sentence):
                    if is_resolved is None:
                        is_resolved = resolved(text)
                    if is_resolved:
                        suppressed = "past_resolved"
                        continue
                    severity = Severity.LOW
                found.append(Match(rule, severity, bounds[0] + hit.start(), bounds[0] + hit.end(), bounds))
                break  # one accepted match per rule and sentence is enough to rank
    return found, suppressed


def _why_not(rule: Rule, sentence: str, hit: re.Match[str], text: str, context: list[str]) -> str | None:
    start, end = hit.start(), hit.end()
    if rule.unless_after is not None and rule.unless_after.search(sentence[end:]):
        return "idiom"
    if rule.unless_sentence is not None and rule.unless_sentence.search(sentence):
        return "context"
    if rule.needs_topic is not None and not (
        rule.needs_topic.search(text) or any(rule.needs_topic.search(fold(t).text) for t in context[-3:])
    ):
        return "context"
    if idiom_at(sentence, start, end):
        return "idiom"
    if rule.negatable and negated(sentence, start, end):
        return "negation"
    if rule.needs_self and about_someone_else(sentence, start, end):
        return "other_person"
    if declared_over(sentence[end:]):
        return "past_resolved"
    first_person = bool(_SELF_WORDS.search(hit.group(0))) or rule.needs_self
    return in_other_frame(sentence, start, end, first_person_rule=first_person)


def _assessment(
    folded: Folded,
    rule_id: str,
    category: object,
    severity: Severity,
    start: int,
    end: int,
    sentence: tuple[int, int],
) -> Assessment:
    span = folded.original_span(start, end)
    s_start, s_end = folded.original_span(*sentence)
    excerpt = folded.original[s_start:s_end].strip()
    if len(excerpt) > EXCERPT_CHARS:
        middle = (span[0] + span[1]) // 2
        lo = max(s_start, middle - EXCERPT_CHARS // 2)
        excerpt = folded.original[lo : lo + EXCERPT_CHARS].strip()
    from sessions_app.risk.detection.types import Category

    return Assessment(
        flagged=True,
        severity=severity,
        category=Category(str(category)),
        rule=rule_id,
        span=span,
        sentence=excerpt,
    )
