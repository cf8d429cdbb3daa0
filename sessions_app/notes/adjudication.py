"""Clinicians confirm or reject what the chatbot inferred: accept a milestone or breakthrough as it
is, reject it, or relabel it (category, confidence band), each with a reason (required to reject or
relabel). Both labels are kept; a later decision on the same item is a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from sessions_app import repository
from sessions_app.domain import Breakthrough, Milestone
from sessions_app.notes.actor import Actor
from sessions_app.notes.errors import ClinicalTextInvalid, NotesError
from sessions_app.notes.labels import BANDS, CATEGORIES, MILESTONE, confidence_band
from sessions_app.notes.models import Adjudication
from sessions_app.notes.reads import adjudication_record
from sessions_app.notes.records import AdjudicationRecord
from sessions_app.notes.text import check_clinical_text

KINDS = ("milestone", "breakthrough")
REASON_MAX_CHARS = 2_000


@dataclass(frozen=True)
class Inference:
    """A milestone or breakthrough as the chatbot labelled it."""

    kind: str
    item_id: str
    at: datetime
    description: str
    category: str
    confidence: float | None

    @property
    def band(self) -> str:
        return confidence_band(self.confidence)


def inferences(client_id: str, session_id: str) -> list[Inference]:
    """The session's readable milestones and breakthroughs, oldest first (live or archived)."""
    state = repository.get_session(client_id, session_id).state
    found = [
        Inference("milestone", m.id, m.at, m.description, MILESTONE, None)
        for m in state.milestones
        if isinstance(m, Milestone)
    ]
    found += [
        Inference("breakthrough", b.id, b.at, b.description, b.category.value, b.confidence)
        for b in state.breakthroughs
        if isinstance(b, Breakthrough)
    ]
    return sorted(found, key=lambda i: (i.at, i.kind, i.item_id))


def _labels(item: Inference, decision: str, category: str, band: str) -> tuple[str, str]:
    """The clinician's (category, band) for a decision, or ``ClinicalTextInvalid``."""
    if decision == Adjudication.ACCEPTED:
        return item.category, item.band
    if decision == Adjudication.REJECTED:
        return "", ""
    if category not in CATEGORIES:
        raise ClinicalTextInvalid("category", "Choose the category this inference should have.")
    if band and band not in BANDS:
        raise ClinicalTextInvalid("band", "Choose a confidence band: low, medium or high.")
    band = band or item.band
    if (category, band) == (item.category, item.band):
        raise ClinicalTextInvalid(
            "category", "That is the chatbot's own label: accept the inference instead of relabelling it."
        )
    return category, band


def adjudicate(
    *,
    actor: Actor,
    session_id: str,
    kind: str,
    item_id: str,
    decision: str,
    category: str = "",
    band: str = "",
    reason: str = "",
) -> AdjudicationRecord:
    """Record a decision on one of the session's inferences. Raises ``NotesError`` (no such
    inference), ``ClinicalTextInvalid``, ``SessionNotFound`` or ``StateUnavailable``."""
    if kind not in KINDS or decision not in Adjudication.DECISIONS:
        raise ClinicalTextInvalid("decision", "Choose accept, reject or relabel.")
    item = next(
        (i for i in inferences(actor.client_id, session_id) if (i.kind, i.item_id) == (kind, item_id)), None
    )
    if item is None:
        raise NotesError("This session has no such inference.")
    clinician_category, clinician_band = _labels(item, decision, category, band)
    if decision != Adjudication.ACCEPTED and not str(reason).strip():
        raise ClinicalTextInvalid("reason", "Give a reason to reject or relabel an inference.")
    reason = check_clinical_text(
        reason, "reason", max_chars=REASON_MAX_CHARS, required=decision != Adjudication.ACCEPTED
    )
    where = {"client_id": actor.client_id, "session_id": session_id, "kind": kind, "item_id": item_id}
    for _ in range(3):  # two clinicians deciding at once: each gets its own version
        latest = Adjudication.objects.filter(**where).aggregate(v=Max("version"))["v"] or 0
        try:
            with transaction.atomic():
                row = Adjudication.objects.create(
                    **where,
                    item_at=item.at,
                    version=latest + 1,
                    ai_category=item.category,
                    ai_confidence=item.confidence,
                    decision=decision,
                    clinician_category=clinician_category,
                    clinician_band=clinician_band,
                    reason=reason,
                    decided_by=actor.username,
                    decided_role=actor.role,
                    decided_at=timezone.now(),
                )
            break
        except IntegrityError:
            continue
    else:
        raise NotesError("Others are deciding on this inference right now; try again.")
    actor.audit(
        "inference_adjudicated", session_id=session_id, kind=kind, item_id=item_id, decision=decision,
        version=row.version,
    )  # fmt: skip
    return adjudication_record(row)
