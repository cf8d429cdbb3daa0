"""Clinicians accept, reject or relabel what the chatbot inferred; both labels are kept; the agreement
view's counts and Cohen's kappa equal an offline computation over the same decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from ifemotion.accounts.models import User
from sessions_app.notes import adjudication, reads
from sessions_app.notes.agreement import agreement, cohen_kappa
from sessions_app.notes.errors import ClinicalTextInvalid, NotesError, RecordImmutable
from sessions_app.notes.models import Adjudication
from sessions_app.state.manager import ConversationStateManager
from tests.notes.conftest import actor_for
from tests.support import AVA, login, use_state_manager

DAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = DAY

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(fake_manager: ConversationStateManager, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The chatbot's writes happen at a settable time (for the period filter)."""
    clock = Clock()
    manager = ConversationStateManager(fake_manager.redis, window=100, clock=clock)
    use_state_manager(monkeypatch, manager)
    return clock


def manager_of(fake_manager: ConversationStateManager) -> ConversationStateManager:
    from sessions_app.state import configured

    return configured.get_state_manager()


def offline_kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa from the full confusion matrix, written independently of the product's code."""
    labels = sorted({label for pair in pairs for label in pair})
    matrix = [[sum(1 for a, b in pairs if (a, b) == (row, col)) for col in labels] for row in labels]
    n = sum(map(sum, matrix))
    observed = sum(matrix[i][i] for i in range(len(labels))) / n
    rows = [sum(matrix[i]) for i in range(len(labels))]
    cols = [sum(matrix[i][j] for i in range(len(labels))) for j in range(len(labels))]
    expected = sum(r * c for r, c in zip(rows, cols, strict=True)) / n**2
    return (observed - expected) / (1 - expected)


def test_cohen_kappa_matches_a_textbook_table() -> None:
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("a", "a")] * 3) is None  # one label throughout: undefined, not 1 or 0
    assert cohen_kappa([]) is None


def test_decisions_keep_both_labels_and_versions(
    clock: Clock, fake_manager: ConversationStateManager, alice: User, carmen: User
) -> None:
    manager = manager_of(fake_manager)
    sid = manager.initialize_session(AVA, model="m")
    milestone = manager.record_milestone(AVA, sid, description="Named the pattern")
    breakthrough = manager.record_breakthrough(
        AVA, sid, description="Links sleep and work", category="pattern_recognition", confidence=0.91
    )
    accepted = adjudication.adjudicate(
        actor=actor_for(alice, AVA),
        session_id=sid,
        kind="milestone",
        item_id=milestone.id,
        decision="accepted",
    )
    assert (accepted.ai_category, accepted.clinician_category, accepted.reason) == (
        "milestone",
        "milestone",
        "",
    )

    with pytest.raises(ClinicalTextInvalid, match="reason"):
        adjudication.adjudicate(
            actor=actor_for(alice, AVA), session_id=sid, kind="breakthrough", item_id=breakthrough.id,
            decision="rejected",
        )  # fmt: skip
    with pytest.raises(ClinicalTextInvalid, match="chatbot's own label"):
        adjudication.adjudicate(
            actor=actor_for(alice, AVA), session_id=sid, kind="breakthrough", item_id=breakthrough.id,
            decision="relabelled", category="pattern_recognition", band="high", reason="same",
        )  # fmt: skip
    relabelled = adjudication.adjudicate(
        actor=actor_for(alice, AVA), session_id=sid, kind="breakthrough", item_id=breakthrough.id,
        decision="relabelled", category="relational_insight", band="medium", reason="About her partner.",
    )  # fmt: skip
    rejected = adjudication.adjudicate(
        actor=actor_for(carmen, AVA), session_id=sid, kind="breakthrough", item_id=breakthrough.id,
        decision="rejected", reason="Not supported by the transcript.",
    )  # fmt: skip

    assert (relabelled.ai_category, relabelled.ai_band, relabelled.clinician_category) == (
        "pattern_recognition",
        "high",
        "relational_insight",
    )
    assert (rejected.version, rejected.decided_by, rejected.clinician_category) == (2, "carmen", "")
    current = reads.session_decisions(AVA, sid)
    assert current[("breakthrough", breakthrough.id)].decision == "rejected"
    assert [d.decision for d in reads.decision_history(AVA, sid, "breakthrough", breakthrough.id)] == [
        "rejected",
        "relabelled",
    ]
    with pytest.raises(NotesError):
        adjudication.adjudicate(
            actor=actor_for(alice, AVA),
            session_id=sid,
            kind="milestone",
            item_id="no-such-item",
            decision="accepted",
        )
    with pytest.raises(RecordImmutable):
        Adjudication.objects.filter(item_id=breakthrough.id).delete()


SCRIPT = [
    # (chatbot category or "milestone", confidence, decision, clinician category, band)
    ("milestone", None, "accepted", "", ""),
    ("milestone", None, "accepted", "", ""),
    ("milestone", None, "relabelled", "emotional_release", "high"),
    ("milestone", None, "rejected", "", ""),
    ("pattern_recognition", 0.9, "accepted", "", ""),
    ("pattern_recognition", 0.85, "accepted", "", ""),
    ("pattern_recognition", 0.6, "relabelled", "relational_insight", ""),
    ("pattern_recognition", 0.4, "rejected", "", ""),
    ("relational_insight", 0.7, "accepted", "", ""),
    ("relational_insight", 0.95, "relabelled", "pattern_recognition", "medium"),
    ("emotional_release", 0.55, "accepted", "", ""),
    ("emotional_release", 0.3, "rejected", "", ""),
    ("self_compassion", 0.8, "relabelled", "self_compassion", "low"),  # band only
]


def test_agreement_counts_and_kappa_equal_an_offline_computation(
    clock: Clock, fake_manager: ConversationStateManager, alice: User
) -> None:
    manager = manager_of(fake_manager)
    sid = manager.initialize_session(AVA, model="m")
    late = manager.initialize_session(AVA, model="m")
    pairs: list[tuple[str, str]] = []
    for n, (ai, confidence, decision, category, band) in enumerate(SCRIPT):
        clock.at = DAY + timedelta(minutes=n)
        if ai == "milestone":
            item_id, kind = manager.record_milestone(AVA, sid, description=f"m{n}").id, "milestone"
        else:
            item_id = manager.record_breakthrough(
                AVA, sid, description=f"b{n}", category=ai, confidence=confidence or 0.5
            ).id
            kind = "breakthrough"
        adjudication.adjudicate(
            actor=actor_for(alice, AVA), session_id=sid, kind=kind, item_id=item_id, decision=decision,
            category=category, band=band, reason="" if decision == "accepted" else "clinical judgement",
        )  # fmt: skip
        pairs.append((ai, {"accepted": ai, "rejected": "rejected"}.get(decision, category)))
    # An inference outside the period, decided too: it must not count.
    clock.at = DAY + timedelta(days=10)
    outside = manager.record_milestone(AVA, late, description="later")
    adjudication.adjudicate(
        actor=actor_for(alice, AVA), session_id=late, kind="milestone", item_id=outside.id,
        decision="rejected", reason="no",
    )  # fmt: skip

    decisions = reads.decisions_in_period([AVA], since=DAY, until=DAY + timedelta(days=1))
    result = agreement(decisions)

    assert result.items == len(SCRIPT)
    assert result.kappa == pytest.approx(offline_kappa(pairs))
    assert result.observed == pytest.approx(sum(a == b for a, b in pairs) / len(pairs))
    rows = {row.category: row for row in result.categories}
    for category in {a for a, _ in pairs} | {b for _, b in pairs if b != "rejected"}:
        binary = [(str(a == category), str(b == category)) for a, b in pairs]
        row = rows[category]
        assert row.kappa == pytest.approx(offline_kappa(binary)), category
        assert row.ai_count == sum(a == category for a, _ in pairs)
        assert row.clinician_count == sum(b == category for _, b in pairs)
        assert row.both == sum(a == b == category for a, b in pairs)
    assert (rows["milestone"].accepted, rows["milestone"].relabelled, rows["milestone"].rejected) == (2, 1, 1)
    assert rows["self_compassion"].kappa == pytest.approx(1.0)  # relabelled in band only: same category

    page = login(alice).get(reverse("notes:agreement"), {"since": "2026-03-02", "until": "2026-03-02"})
    body = page.content.decode()
    assert page.status_code == 200
    assert f"{result.kappa:.3f}" in body
    assert f"{len(SCRIPT)} reviewed inferences" in body
    everything = login(alice).get(reverse("notes:agreement")).content.decode()
    assert f"{len(SCRIPT) + 1} reviewed inferences" in everything


def test_the_agreement_view_counts_only_the_users_clients(
    clock: Clock, fake_manager: ConversationStateManager, alice: User, bob: User
) -> None:
    manager = manager_of(fake_manager)
    sid = manager.initialize_session(AVA, model="m")
    item = manager.record_milestone(AVA, sid, description="x")
    adjudication.adjudicate(actor=actor_for(alice, AVA), session_id=sid, kind="milestone", item_id=item.id,
                            decision="accepted")  # fmt: skip
    assert "1 reviewed inference" in login(alice).get(reverse("notes:agreement")).content.decode()
    assert "No reviewed inferences" in login(bob).get(reverse("notes:agreement")).content.decode()
