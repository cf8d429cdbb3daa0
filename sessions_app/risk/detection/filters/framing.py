"""Frames that make risk words not about the client now: a film, a book or the news; a crisis-line
shift or a class; a hypothetical ("if I ever felt that way, who would I call?"); idioms."""

from __future__ import annotations

import re

from sessions_app.risk.detection.filters.person import inside_quotes

_MEDIA = re.compile(
    r"\b(?:film|films|movie|movies|show|series|episode|documentary|doc|book|novel|story|stories|song|songs"
    r"|lyrics?|album|game|video\s+game|play|musical|podcast|article|news|headline|newspaper|report|character"
    r"|characters|scene|plot|season|netflix|anime|manga|poem|poetry|comic|tv|telly|youtube|tiktok|reddit"
    r"|thread|post|meme|sketch|script|screenplay|opera|shakespeare|hamlet|juliet|biography|memoir)\b"
)
_ROLE = re.compile(
    r"\b(?:crisis\s+(?:line|text\s+line|centre|center|team)|hotline|helpline|samaritans|lifeline|volunteer\w*"
    r"|my\s+shift|on\s+shift|training|trainee|course|lecture|seminar|class|module|exam|essay|assignment"
    r"|research|thesis|dissertation|nurse|nursing|paramedic|medic|doctor|pharmacist|pharmacy\s+student"
    r"|a&e|er\s+shift|ward|psych\s+ward\s+placement|placement|teacher|teaching|counsell?or|therapist\s+training"
    r"|first\s+aid|mental\s+health\s+first\s+aid|safeguarding|prevention|awareness|campaign|fundrais\w*)\b"
)
_FIRST_PERSON_RISK = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|myself)\b[^.?!]{0,60}\b(?:want|wanted|wish|thinking|thought|feel"
    r"|felt|tried|took|cut|plan|going|gonna|ready|decided|keep)\b"
)
_FIRST_NEAR = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|myself)\b")
_HYPOTHETICAL = re.compile(
    r"\bif\s+(?:i|you|someone|somebody|a\s+person|anyone)\s+(?:ever|were\s+to|was\s+to|started?|starting"
    r"|begin|began|should|happen\s+to|happened\s+to|find\s+(?:myself|themselves|yourself)|one\s+day|ever"
    r"\s+again|got\s+to\s+that\s+point|reach\s+that\s+point)\b|\bhypothetical(?:ly)?\b|\bin\s+theory\b"
    r"|\bif\s+i\s+(?:said|told\s+you|mentioned|admitted|were\s+to\s+say|ever\s+said)\b"
    r"|\btheoretically\b|\bwhat\s+(?:would|should|do)\s+(?:you|i|one)\s+(?:do|say|tell)\s+if\s+(?:someone"
    r"|a\s+(?:friend|client|person|caller)|somebody)\b|\bimagine\s+(?:if\s+)?(?:someone|a\s+person|a\s+character)\b"
)
_HELP_SEEKING = re.compile(
    r"\bwhat\s+(?:should|would|do|can)\s+i\s+do\b|\bwhat\s+would\s+you\s+(?:say|do|think)\b|\b(?:would|will|do|does)\s+you\s+(?:have\s+to\s+)?(?:call|tell|report"
    r"|contact|ring)\b|\b(?:i'?d|i\s+would|i'?ll|i\s+will|i\s+should|should\s+i|who\s+(?:do|should|would|can|could)\s+i"
    r"|what\s+(?:should|do|would|can)\s+i|where\s+(?:should|do|can|could)\s+i|i\s+know\s+(?:to|i)|i\s+promise"
    r"|i'?d\s+know|i\s+have\s+(?:a|the)\s+(?:number|plan)|my\s+safety\s+plan|you'?d|you\s+would)\b"
    r"[^.?!]{0,40}\b(?:call|text|tell|reach\s+out|contact|talk|ring|go|let\s+(?:you|someone|them|my)|ask|use"
    r"|get\s+help|come|speak|safety\s+plan|crisis|helpline|hotline|999|911|988|111|emergency|a&e|gp|doctor)"
)
_IDIOMS = re.compile(
    r"\b(?:dying\s+(?:to|for)|to\s+die\s+for|die\s+(?:of|from)\s+(?:embarrassment|shame|boredom|laughter"
    r"|laughing|cringe|happiness|excitement|cuteness|heat)|died\s+laughing|(?:rather|sooner)\s+die\s+than"
    r"|(?:would|could|'?d)\s+kill\s+for|killing\s+it|dead\s+tired|bored\s+to\s+death|scared\s+to\s+death"
    r"|worked\s+to\s+death|sick\s+to\s+death|over\s+my\s+dead\s+body|kill(?:ing)?\s+time|(?:phone|battery"
    r"|laptop|car|plant|plants)\s+(?:is\s+)?(?:dying|died|dead)|killing\s+me\s+softly|drop\s+dead\s+gorgeous"
    r"|i\s+could\s+(?:just\s+)?die\s+(?:of|from|happy)|dying\s+of\s+(?:thirst|hunger|heat|cold|boredom)"
    r"|make\s+a\s+killing|kill\s+two\s+birds|kill\s+the\s+(?:lights|engine|music)|dead\s+(?:end|line|set"
    r"|serious|easy|on|ringer|weight)|killer\s+(?:app|workout|heels)|death\s+by\s+(?:powerpoint|meetings"
    r"|chocolate)|cut\s+(?:my|myself)\s+(?:some\s+)?slack|cut\s+myself\s+off|hang\s+in\s+there"
    r"|hanging\s+out|end\s+it\s+with\s+(?:him|her|them|my)|(?:sleep|nap)\s+forever\s+(?:after|this))\b"
)


def in_other_frame(sentence: str, start: int, end: int, *, first_person_rule: bool) -> str | None:
    """``"context"`` for a film/news/work frame, ``"hypothetical"`` for a conditional, else None."""
    quoted = inside_quotes(sentence, start) is not None
    if _MEDIA.search(sentence) and (
        quoted
        or (not first_person_rule and not _FIRST_PERSON_RISK.search(sentence[max(0, start - 80) : start]))
    ):
        return "context"
    if _ROLE.search(sentence) and (quoted or not first_person_rule):
        return "context"
    if (_MEDIA.search(sentence) or _ROLE.search(sentence)) and not _FIRST_NEAR.search(
        sentence[max(0, start - 60) : end]
    ):
        return "context"  # "we read a poem about wanting to die": nobody in the clause is the client
    if _HYPOTHETICAL.search(sentence) and (_HELP_SEEKING.search(sentence) or not first_person_rule):
        return "hypothetical"
    if _HYPOTHETICAL.search(sentence[:start]) and _HELP_SEEKING.search(sentence):
        return "hypothetical"
    return None


def idiom_at(sentence: str, start: int, end: int) -> bool:
    """An idiom overlapping the match ("I could die of embarrassment", "dying to see the show")."""
    return any(m.start() < end + 12 and m.end() > start - 12 for m in _IDIOMS.finditer(sentence))
