"""How a session went, in numbers: negative affect at its start and end, its mean, the shift within it,
and its dominant emotions. Pure functions of the emotion log and the client's turn times.

Every number here is inferred from the conversation (the chatbot's reading of emotions), not a
validated clinical measure; pages and PDFs say so next to them. Definitions (the README repeats them):

- The *state in force* at a client turn is the last emotion update at or before that message (an
  update sent with the message counts). Turns before the first update have no state.
- *Negative affect* of a state: its intensity when its label's valence is negative, else 0.
- *Start* / *end*: negative affect of the session's first / last emotion update.
- *Mean*: mean negative affect over the client turns that have a state.
- *Within-session shift*: mean over the last third of the client's turns minus mean over the first
  third (thirds of all turns, ⌊n/3⌋ each, n ≥ 3; turns without a state are left out of the means).
  Below zero: less negative affect towards the end.
- *Dominant emotions*: the labels in force at the most client turns, with their share of those turns.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sessions_app.domain import EmotionTransition
from sessions_app.emotions import negative_affect, vocabulary

DOMINANT = 3


@dataclass(frozen=True)
class SessionTrend:
    start: float | None
    end: float | None
    mean: float | None
    first_third: float | None
    last_third: float | None
    turns: int  # client turns in the session
    turns_with_state: int
    dominant: tuple[tuple[str, float], ...]  # (label, share of the turns with a state), largest first

    @property
    def shift(self) -> float | None:
        if self.first_third is None or self.last_third is None:
            return None
        return self.last_third - self.first_third


def states_at_turns(
    transitions: Sequence[EmotionTransition], turns: Sequence[datetime]
) -> list[EmotionTransition | None]:
    """The update in force at each client turn (None before the first one)."""
    ordered = sorted(transitions, key=lambda t: t.at)
    times = [t.at for t in ordered]
    states: list[EmotionTransition | None] = []
    for at in turns:
        position = bisect_right(times, at) - 1
        states.append(ordered[position] if position >= 0 else None)
    return states


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def session_trend(transitions: Sequence[EmotionTransition], turns: Sequence[datetime]) -> SessionTrend:
    ordered = sorted(transitions, key=lambda t: t.at)
    vocab = vocabulary()  # once per session: a client page computes thousands of turns
    affect_of = {id(t): negative_affect(t.to_emotion, t.intensity, vocab) for t in ordered}

    def _affect(state: EmotionTransition) -> float:
        return affect_of[id(state)]

    states = states_at_turns(ordered, turns)
    known = [s for s in states if s is not None]
    first_third = last_third = None
    if len(turns) >= 3:
        k = len(turns) // 3
        first_third = _mean([_affect(s) for s in states[:k] if s is not None])
        last_third = _mean([_affect(s) for s in states[len(states) - k :] if s is not None])
    counts = Counter(str(s.to_emotion) for s in known)
    order = {label: i for i, label in reversed(list(enumerate(str(s.to_emotion) for s in known)))}
    top = sorted(counts.items(), key=lambda item: (-item[1], order[item[0]]))[:DOMINANT]
    return SessionTrend(
        start=_affect(ordered[0]) if ordered else None,
        end=_affect(ordered[-1]) if ordered else None,
        mean=_mean([_affect(s) for s in known]),
        first_third=first_third,
        last_third=last_third,
        turns=len(turns),
        turns_with_state=len(known),
        dominant=tuple((label, count / len(known)) for label, count in top),
    )
