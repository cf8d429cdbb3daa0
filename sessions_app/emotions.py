"""The emotion vocabulary: which labels the chatbot may send, and the valence of each.

One seam for everything that names emotions: the state layer's input checks (an unknown label is a
clear ``InvalidInput`` naming the allowed ones, hence a 400 from the HTTP API), the API's schemas, the
dashboard's forms and charts (coloured by valence), the demo and the client trends (negative affect).

The vocabulary is configuration (``EMOTION_VOCABULARY``, ``EMOTION_VOCABULARY_EXTRA``; README
"Emotion vocabulary"). Labels are only checked where input enters: a label stored under an earlier
vocabulary always reads back and is shown with an unknown valence, never as an unreadable entry.

Every emotion in this product is inferred by the chatbot from the conversation; none is a validated
clinical measure, and pages say so (``INFERRED_NOTE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sessions_app.domain import Emotion
from sessions_app.errors import InvalidInput

INFERRED_NOTE = "inferred from the conversation, not a validated clinical measure"
# Labels are stored in 32-character database columns and used in CSS class names.
LABEL_PATTERN = re.compile(r"[a-z][a-z_-]{0,31}")


class Valence(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"
    UNKNOWN = "unknown"  # a stored label that the current vocabulary no longer lists


N, Z, P = Valence.NEGATIVE, Valence.NEUTRAL, Valence.POSITIVE
# The design report's eight, then labels clinicians use for what clients bring (grief, shame, fear,
# loneliness, low mood) and for the states they work towards. Only names, never a screening item.
DEFAULT_VOCABULARY: tuple[tuple[str, Valence], ...] = (
    ("neutral", Z),
    ("happy", P),
    ("frustrated", N),
    ("anxious", N),
    ("breakthrough", P),
    ("integrated", P),
    ("exploring", Z),
    ("resistant", N),
    ("sad", N),
    ("depressed", N),
    ("angry", N),
    ("afraid", N),
    ("ashamed", N),
    ("guilty", N),
    ("lonely", N),
    ("hopeless", N),
    ("grieving", N),
    ("overwhelmed", N),
    ("numb", N),
    ("irritable", N),
    ("confused", Z),
    ("ambivalent", Z),
    ("hopeful", P),
    ("calm", P),
    ("relieved", P),
    ("content", P),
    ("grateful", P),
    ("proud", P),
    ("connected", P),
)


@dataclass(frozen=True)
class Vocabulary:
    """The configured labels in their configured order, each with its valence."""

    valences: dict[str, Valence]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.valences)

    def valence(self, label: object) -> Valence:
        return self.valences.get(str(label), Valence.UNKNOWN)

    def allowed_text(self) -> str:
        return ", ".join(self.valences)


def parse_vocabulary(raw: str, *, name: str = "EMOTION_VOCABULARY") -> dict[str, Valence]:
    """``"sad:negative, calm:positive"`` → ``{"sad": NEGATIVE, "calm": POSITIVE}``; ImproperlyConfigured
    on anything else (a typo in the vocabulary must stop the app, not refuse every chatbot write)."""
    found: dict[str, Valence] = {}
    choices = "negative, neutral or positive"
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        label, sep, valence = (text.strip() for text in item.partition(":"))
        if not sep:
            raise ImproperlyConfigured(f"{name}: {item!r} needs a valence, e.g. {label}:negative")
        if not LABEL_PATTERN.fullmatch(label):
            raise ImproperlyConfigured(
                f"{name}: {label!r} is not a label (1-32 of a-z, '_' and '-', starting with a letter)"
            )
        if valence not in (N, Z, P):
            raise ImproperlyConfigured(f"{name}: the valence of {label!r} must be {choices}, not {valence!r}")
        if label in found:
            raise ImproperlyConfigured(f"{name}: {label!r} is listed twice")
        found[label] = Valence(valence)
    return found


_cache: dict[tuple[str, str], Vocabulary] = {}


def vocabulary() -> Vocabulary:
    """The configured vocabulary (cached per setting value, so a test's override applies at once)."""
    base = str(getattr(settings, "EMOTION_VOCABULARY", "") or "") if settings.configured else ""
    extra = str(getattr(settings, "EMOTION_VOCABULARY_EXTRA", "") or "") if settings.configured else ""
    key = (base, extra)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    valences = parse_vocabulary(base) if base.strip() else dict(DEFAULT_VOCABULARY)
    for label, valence in parse_vocabulary(extra, name="EMOTION_VOCABULARY_EXTRA").items():
        valences[label] = valence  # the extra list may also re-value a default label
    if "neutral" not in valences:
        # A new session starts "neutral" (the report's keyspace); the label must stay sendable.
        raise ImproperlyConfigured("EMOTION_VOCABULARY must include neutral (every session starts there)")
    _cache[key] = result = Vocabulary(valences)
    return result


def check_emotion(value: object, field: str = "emotion") -> Emotion:
    """A label of the configured vocabulary, else ``InvalidInput`` naming the allowed ones."""
    vocab = vocabulary()
    if isinstance(value, str) and value in vocab.valences:
        return Emotion(value)
    raise InvalidInput(field, f"{field} must be one of: {vocab.allowed_text()}")


def valence_of(label: object) -> Valence:
    return vocabulary().valence(label)


def negative_affect(label: object, intensity: float, vocab: Vocabulary | None = None) -> float:
    """The intensity of negative affect a state stands for: its intensity when its label is negative,
    else 0 (a calm or hopeful client at 0.8 has no negative affect to speak of)."""
    negative = (vocab or vocabulary()).valence(label) is Valence.NEGATIVE
    return max(0.0, min(1.0, intensity)) if negative else 0.0


def check_configuration() -> list[str]:
    """Problems of the configured vocabulary, for the system check (empty when it is fine)."""
    try:
        vocabulary()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    return []
