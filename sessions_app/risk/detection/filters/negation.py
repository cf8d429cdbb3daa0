"""Negation: "I would never kill myself", "I don't want to die", "I'm not suicidal".

A negator governs the risk words after it when nothing but auxiliaries, adverbs and the risk words
themselves stand between them. A new subject ("I don't think *I* want to live") or any other content
word ("I can't *stop* thinking about it") ends its scope, as does a comma, "but" or a dash.
"""

from __future__ import annotations

import re

_NEGATOR = re.compile(
    r"\b(?:not|never|no\s+longer|nor|nothing\s+like)\b|(?<=[a-z])n't\b|\b(?:dont|cant|wont|wouldnt|couldnt|isnt|havent"
    r"|hasnt|didnt|doesnt|aint|shouldnt)\b|\bno\b(?!\s*[,.!;:])"
)
_BREAK = re.compile(r"[,;:()\"]|\bbut\b|\bbecause\b|\bthough\b|\bexcept\b| - ")
_SCOPE_WORDS = frozenset(
    [
        "am",
        "are",
        "is",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "having",
        "would",
        "will",
        "could",
        "should",
        "shall",
        "can",
        "might",
        "may",
        "must",
        "'m",
        "'d",
        "'ll",
        "'ve",
        "m",
        "d",
        "ll",
        "ve",
        "s",
        "'s",
        "really",
        "actually",
        "seriously",
        "even",
        "ever",
        "ever,",
        "at",
        "all",
        "currently",
        "right",
        "now",
        "any",
        "anymore",
        "honestly",
        "truly",
        "definitely",
        "certainly",
        "literally",
        "ever",
        "again",
        "want",
        "wanna",
        "wanted",
        "wanting",
        "going",
        "gonna",
        "to",
        "plan",
        "planning",
        "planned",
        "try",
        "trying",
        "tried",
        "intend",
        "intending",
        "thinking",
        "think",
        "thought",
        "of",
        "about",
        "feel",
        "feeling",
        "felt",
        "like",
        "that",
        "the",
        "a",
        "an",
        "it",
        "myself",
        "my",
        "own",
        "life",
        "self",
        "kill",
        "killing",
        "end",
        "ending",
        "take",
        "taking",
        "suicide",
        "suicidal",
        "thoughts",
        "thought",
        "ideation",
        "die",
        "dying",
        "dead",
        "hurt",
        "hurting",
        "harm",
        "harming",
        "cut",
        "cutting",
        "overdose",
        "commit",
        "committing",
        "all",
        "things",
        "everything",
        "anything",
        "ideas",
        "urges",
        "urge",
        "act",
        "acting",
        "on",
        "through",
        "with",
        "go",
        "jump",
        "jumping",
        "hang",
        "hanging",
        "burn",
        "burning",
        "be",
        "alive",
        "here",
        "around",
        "live",
        "living",
        "exist",
        "existing",
        "wish",
        "dream",
        "considering",
        "consider",
        "contemplating",
        "contemplate",
        "seriously",
        "considered",
        "ever",
        "yet",
        "so",
    ]
)
_SUBJECTS = frozenset({"i", "i'm", "im", "i've", "ive", "i'd", "i'll", "you", "he", "she", "they", "we"})
# "I don't *think* I want to live": the negator belongs to the hedge, not to the risk words.
_HEDGES = frozenset(
    {"think", "know", "sure", "believe", "say", "saying", "mean", "guess", "swear", "care", "if"}
)
# "want to *not* exist", "if I *wasn't* here": negation that is part of the risk phrase itself.
_INHERENT = re.compile(
    r"\s*(?:exist|be\s+(?:alive|here|around)|wake|being\s+(?:here|alive|around)|existing|here|around|alive)\b"
)


def negated(sentence: str, start: int, end: int) -> bool:
    """Is the match ``sentence[start:end]`` in the scope of a negator before or inside it?"""
    window = sentence[:end]
    for negator in reversed(list(_NEGATOR.finditer(window))):
        if negator.start() >= end:
            continue
        if negator.start() >= start and _INHERENT.match(window, negator.end()):
            continue
        between = window[negator.end() :]
        cut = _BREAK.search(between)
        if cut is not None and negator.end() + cut.start() < start:
            return False  # a clause boundary stands between the negator and the match
        tokens = re.findall(r"[a-z']+", between)
        if any(token in _SUBJECTS for token in tokens) and any(token in _HEDGES for token in tokens):
            return False
        tokens = [token for token in tokens if token not in _SUBJECTS]
        return all(token in _SCOPE_WORDS for token in tokens)
    return False
