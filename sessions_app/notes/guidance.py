"""The therapist's guidance to the chatbot, per client: current theme, therapeutic focus and topics to
avoid. Set once, versioned in the database (compare-and-set on the version), audited, written into the
client's active live sessions, and seeded into every new session by the state manager
(``reads.guidance_seed`` is its ``context_seed``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from sessions_app.notes import live
from sessions_app.notes.actor import Actor
from sessions_app.notes.models import GuidanceRevision
from sessions_app.notes.reads import current_guidance, guidance_record
from sessions_app.notes.records import GuidanceRecord
from sessions_app.notes.text import check_clinical_text

GUIDANCE_MAX_CHARS = 4_000
FIELDS = ("current_theme", "therapeutic_focus", "topics_to_avoid")


@dataclass(frozen=True)
class GuidanceResult:
    outcome: str  # "saved" | "unchanged" | "conflict"
    guidance: GuidanceRecord | None  # the current version (the colleague's, on a conflict)
    propagation: live.Propagation | None = None


def set_guidance(
    *,
    actor: Actor,
    expected_version: int,
    current_theme: str,
    therapeutic_focus: str,
    topics_to_avoid: str,
) -> GuidanceResult:
    """Save a new version if the current one is still ``expected_version`` (0: none yet), then write
    it into the client's active live sessions. Raises ``ClinicalTextInvalid``."""
    texts = {
        name: check_clinical_text(value, name, max_chars=GUIDANCE_MAX_CHARS)
        for name, value in zip(FIELDS, (current_theme, therapeutic_focus, topics_to_avoid), strict=True)
    }
    current = current_guidance(actor.client_id)
    if current is not None and all(getattr(current, name) == texts[name] for name in FIELDS):
        return GuidanceResult("unchanged", current)
    if (current.version if current else 0) != expected_version:
        actor.audit("guidance_conflict", outcome="conflict", expected_version=expected_version)
        return GuidanceResult("conflict", current)
    try:
        with transaction.atomic():
            row = GuidanceRevision.objects.create(
                client_id=actor.client_id,
                version=expected_version + 1,
                author=actor.username,
                author_role=actor.role,
                saved_at=timezone.now(),
                **texts,
            )
            saved = guidance_record(row)
            # Inside the transaction: a later version (which can only be saved after this one
            # commits) is written into live sessions after this one.
            propagation = live.write_guidance(clinician=actor.username, guidance=saved)
    except IntegrityError:
        actor.audit("guidance_conflict", outcome="conflict", expected_version=expected_version)
        return GuidanceResult("conflict", current_guidance(actor.client_id))
    actor.audit(
        "guidance_changed", version=saved.version, live_sessions=len(propagation.written),
        live_failed=len(propagation.failed), live_unavailable=propagation.unavailable,
    )  # fmt: skip
    return GuidanceResult("saved", saved, propagation)


def resend_guidance(*, actor: Actor) -> live.Propagation | None:
    """Write the current guidance into the client's active live sessions again (None: none is set)."""
    current = current_guidance(actor.client_id)
    if current is None:
        return None
    propagation = live.write_guidance(clinician=actor.username, guidance=current)
    actor.audit(
        "guidance_live_copy", version=current.version, live_sessions=len(propagation.written),
        live_failed=len(propagation.failed), live_unavailable=propagation.unavailable,
    )  # fmt: skip
    return propagation
