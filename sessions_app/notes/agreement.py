"""How often clinicians agree with the chatbot's inferences: counts and Cohen's kappa (pure).

Each adjudicated inference is a pair of labels: the chatbot's category and the clinician's (the same
when accepted, another when relabelled, "rejected" when rejected). Per category, both raters' labels
are reduced to "this category or not" and kappa is computed on that 2 x 2 table; overall, on all
categories at once. Kappa is None where it is undefined (both raters used a single label throughout,
so chance agreement is 1). These describe agreement with an AI, not a validated clinical measure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sessions_app.notes.labels import CATEGORIES
from sessions_app.notes.records import AdjudicationRecord

REJECTED = "rejected"


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of (rater A, rater B) label pairs; None if empty or chance agreement is 1."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def clinician_label(decision: AdjudicationRecord) -> str:
    return REJECTED if decision.decision == REJECTED else decision.clinician_category


@dataclass(frozen=True)
class CategoryAgreement:
    category: str
    ai_count: int  # inferences the chatbot gave this category
    clinician_count: int  # inferences the clinician gave this category (accepted or relabelled into it)
    both: int  # ... both did
    accepted: int  # the chatbot's label of this category accepted as it was
    relabelled: int  # ... relabelled (to another category or confidence band)
    rejected: int  # ... rejected
    kappa: float | None


@dataclass(frozen=True)
class Agreement:
    items: int
    observed: float | None  # share of inferences whose category the clinician kept
    kappa: float | None  # over all categories ("rejected" is a label of the clinician's)
    categories: tuple[CategoryAgreement, ...]


def agreement(decisions: Sequence[AdjudicationRecord]) -> Agreement:
    """Agreement over current decisions (``reads.decisions_in_period``); one row per category used."""
    pairs = [(d.ai_category, clinician_label(d)) for d in decisions]
    rows = []
    for category in CATEGORIES:
        mine = [d for d in decisions if d.ai_category == category]
        theirs = sum(label == category for _, label in pairs)
        if not mine and not theirs:
            continue
        binary = [(a == category, b == category) for a, b in pairs]
        rows.append(
            CategoryAgreement(
                category=category,
                ai_count=len(mine),
                clinician_count=theirs,
                both=sum(a and b for a, b in binary),
                accepted=sum(d.decision == "accepted" for d in mine),
                relabelled=sum(d.decision == "relabelled" for d in mine),
                rejected=sum(d.decision == REJECTED for d in mine),
                kappa=cohen_kappa([(str(a), str(b)) for a, b in binary]),
            )
        )
    observed = sum(a == b for a, b in pairs) / len(pairs) if pairs else None
    return Agreement(items=len(pairs), observed=observed, kappa=cohen_kappa(pairs), categories=tuple(rows))
