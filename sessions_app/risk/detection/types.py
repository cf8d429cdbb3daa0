"""What the detector answers: categories, severities and the ``Assessment`` of one message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from sessions_app.risk.detection.version import RULESET_VERSION


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


class Category(StrEnum):
    """The usual severity ladder, in our own words (no screening instrument's wording)."""

    PASSIVE_WISH = "passive_wish"  # wishing to be dead or not to wake up, without a wish to act
    ACTIVE_IDEATION = "active_ideation"  # thinking of killing oneself
    METHOD_MEANS = "method_means"  # how, with what, where to get it; having the means at hand
    INTENT_PLAN = "intent_plan"  # decided, a time, a plan, goodbyes
    RECENT_ATTEMPT = "recent_attempt"  # recent self-harm or a suicide attempt
    SELF_INJURY = "self_injury"  # urges or ongoing self-injury
    HOPELESSNESS = "hopelessness"  # hopelessness, feeling a burden


CATEGORY_LABELS = {
    Category.PASSIVE_WISH: "Passive wish to be dead",
    Category.ACTIVE_IDEATION: "Active suicidal ideation",
    Category.METHOD_MEANS: "Method or means",
    Category.INTENT_PLAN: "Intent or plan",
    Category.RECENT_ATTEMPT: "Recent self-harm or attempt",
    Category.SELF_INJURY: "Self-injury",
    Category.HOPELESSNESS: "Hopelessness or burden",
}

DEFAULT_SEVERITY = {
    Category.PASSIVE_WISH: Severity.MEDIUM,
    Category.ACTIVE_IDEATION: Severity.HIGH,
    Category.METHOD_MEANS: Severity.HIGH,
    Category.INTENT_PLAN: Severity.HIGH,
    Category.RECENT_ATTEMPT: Severity.HIGH,
    Category.SELF_INJURY: Severity.MEDIUM,
    Category.HOPELESSNESS: Severity.LOW,
}

# Among equally severe matches, the more specific category is reported.
CATEGORY_PRIORITY = {
    Category.INTENT_PLAN: 7,
    Category.RECENT_ATTEMPT: 6,
    Category.METHOD_MEANS: 5,
    Category.ACTIVE_IDEATION: 4,
    Category.SELF_INJURY: 3,
    Category.PASSIVE_WISH: 2,
    Category.HOPELESSNESS: 1,
}


@dataclass(frozen=True)
class Rule:
    """One explainable pattern. ``unless_after`` discards a match followed by it (idioms, objects)."""

    id: str
    category: Category
    pattern: re.Pattern[str]
    severity: Severity | None = None  # None: the category's default
    unless_after: re.Pattern[str] | None = None
    unless_sentence: re.Pattern[str] | None = None  # discards a match in a sentence holding it
    needs_self: bool = False  # the subject may be another person: run the other-person filter
    negatable: bool = True  # False for rules whose own words carry the negation ("don't want to live")
    needs_topic: re.Pattern[str] | None = None  # must also appear in the message or the turns before
    gate: re.Pattern[str] | None = None  # a cheap test: without one of these stems the rule cannot match

    @property
    def level(self) -> Severity:
        return self.severity or DEFAULT_SEVERITY[self.category]


@dataclass(frozen=True)
class Assessment:
    """The detector's answer for one message.

    ``span`` is ``(start, end)`` in the assessed text; ``sentence`` the sentence holding it (all a
    flag may keep of the client's words). ``suppressed`` names the filter that discarded the last
    match of an unflagged message (``negation``, ``other_person``, ...), for explanation only.
    """

    flagged: bool
    severity: Severity | None = None
    category: Category | None = None
    rule: str | None = None
    span: tuple[int, int] | None = None
    sentence: str = ""
    rules_version: str = RULESET_VERSION
    suppressed: str | None = None

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category] if self.category else ""


NOT_FLAGGED = Assessment(flagged=False)
