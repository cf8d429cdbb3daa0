"""The past: "when I was 15 I tried ..., but I'm in a much better place now" is history, not risk now.

A match in a sentence set in the distant past (years ago, as a teenager, "used to") is discarded when
the message says it is resolved; without that it stays, at low severity (a history worth knowing).
"""

from __future__ import annotations

import re

DISTANT = re.compile(
    r"\b(?:(?:\d+|a\s+few|few|many|several|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|some"
    r"|a\s+couple\s+of|couple\s+of|a\s+couple)\s+years?\s+(?:ago|back|before)|a\s+(?:year|decade)\s+ago"
    r"|years\s+(?:ago|back)|when\s+i\s+was\s+(?:\d+|a\s+(?:kid|child|teen|teenager|student|little\s+girl"
    r"|little\s+boy)|younger|little|small|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|thirteen"
    r"|twelve|in\s+(?:high\s+)?school|at\s+(?:school|uni|university|college)|in\s+(?:college|university|uni"
    r"|my\s+(?:teens|twenties|20s)|year\s+\d+))|as\s+a\s+(?:teen|teenager|kid|child|student)|in\s+(?:high"
    r"\s+school|my\s+teens|my\s+early\s+twenties|my\s+twenties|my\s+20s|college|university|uni|secondary"
    r"\s+school|sixth\s+form|year\s+\d+)|(?:i|we)\s+used\s+to|back\s+(?:then|in\s+(?:\d{4}|the\s+day|college"
    r"|school|uni|my\s+twenties))|a\s+long\s+time\s+ago|long\s+ago|ages\s+ago|in\s+the\s+past|in\s+(?:19|20)"
    r"\d\d|at\s+(?:fourteen|fifteen|sixteen|seventeen|thirteen|\d\d)|(?:my\s+)?teenage\s+years|growing\s+up"
    r"|in\s+school|at\s+school|at\s+uni|in\s+my\s+teens)\b"
)
RECENT_NOW = re.compile(
    r"\b(?:last\s+(?:night|week|month)|yesterday|today|tonight|this\s+(?:morning|week|month|weekend)"
    r"|lately|recently|again|these\s+days|right\s+now|currently|at\s+the\s+moment|anymore"
    r"|still(?!\s+(?:here|alive|around|standing))|creeping\s+back|coming\s+back|came\s+back|are\s+back|is\s+back)\b"
)
RESOLVED = re.compile(
    r"\b(?:but|and)\s+(?:now|today|these\s+days|nowadays|since\s+then|i'?m\s+(?:ok|okay|fine|good|better"
    r"|safe))\b|\b(?:i'?m|im|i\s+am|i\s+feel|doing|i'?ve\s+been|i\s+have\s+been)\s+(?:in\s+a\s+)?(?:much\s+"
    r"|so\s+much\s+|a\s+lot\s+|way\s+|far\s+|really\s+)?(?:better|fine|okay|ok|safe|good|well|stable|happy"
    r"|happier|clean|sober|in\s+a\s+(?:good|better|much\s+better|great|safe)\s+place)\b|\bsince\s+then\b|\b(?:haven'?t|have\s+not|havent"
    r"|never|not|hasn'?t|didn'?t)\s+(?:\w+\s+){0,4}?(?:since|again|in\s+(?:years|a\s+long\s+time|ages|\d+"
    r"\s+years|a\s+decade))\b|\b(?:haven'?t|have\s+not|havent|hasn'?t)\s+(?:\w+\s+){0,3}?for\s+(?:years|a\s+decade"
    r"|ages|a\s+long\s+time|\d+\s+years|(?:two|three|four|five|ten)\s+years)\b|\b(?:clean|free)\s+(?:for|from|since)\b|\brecovered\b|\b(?:got|getting|had)"
    r"\s+(?:help|through\s+it|better|treatment|support)\b|\bthat'?s\s+(?:all\s+)?behind\s+me\b|\bno\s+longer"
    r"\b|\bnot\s+anymore\b|\bthose\s+(?:days|thoughts|feelings)\s+are\s+(?:gone|over|behind|long\s+gone)\b"
    r"|\b(?:therapy|treatment|medication|meds|counselling|counseling|support|dbt|cbt)\s+(?:really\s+)?"
    r"(?:helped|saved|worked)\b|\bi'?m\s+(?:so\s+|really\s+|very\s+)?(?:proud|glad|grateful|thankful)\b"
    r"|\b(?:life|things|everything)\s+(?:is|are|'s|'re)\s+(?:so\s+much\s+|much\s+|a\s+lot\s+|really\s+)?(?:good|better"
    r"|great|okay|ok|fine)\b|\bsurviv(?:ed|or)\b"
    r"|\b(?:they|it|that|those|these)(?:'re|\s+are|'s|\s+is|\s+have|\s+has)\s+(?:all\s+|long\s+)?(?:gone|over|stopped|passed|behind\s+me)\b"
    r"|\bthat\s+was\s+(?:a\s+long\s+time|years)\s+ago\b|\bit'?s\s+(?:in\s+the\s+past|over)\b|\bhealed\b"
)


# "those thoughts about dying are gone now": the risk words named, then declared over.
_OVER_AFTER = re.compile(
    r"^\s*(?:[a-z']+\s+){0,3}?(?:are|is|have|has|had)\s+(?:all\s+|completely\s+|finally\s+|long\s+)?(?:gone|stopped"
    r"|went\s+away|gone\s+away|disappeared|faded|passed|over|behind\s+me)\b"
)


def declared_over(after: str) -> bool:
    return bool(_OVER_AFTER.match(after))


def distant_past(sentence: str) -> bool:
    return bool(DISTANT.search(sentence)) and not RECENT_NOW.search(sentence)


def resolved(message: str) -> bool:
    return bool(RESOLVED.search(message))
