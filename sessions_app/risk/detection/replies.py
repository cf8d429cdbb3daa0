"""Short replies that only mean something after a question: "Friday, after work" to "when?", "yes, I
kept them" to "do you still have the tablets?", "no" to "are you safe tonight?".

The question is the last preceding turn. It counts when it asks about a risk topic itself, or asks a
bare "when?"/"how?"/"do you have a plan?" while an earlier turn (up to four back) talked about risk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sessions_app.risk.detection.types import Category, Severity

MAX_REPLY_WORDS = 16

_RISK_TOPIC = re.compile(
    r"\b(?:end(?:ing)?\s+things|suicid\w*|kill(?:ing)?\s+(?:yourself|myself|your\s*self)|end(?:ing)?\s+(?:your|my)\s+(?:own\s+)?life"
    r"|take\s+your\s+(?:own\s+)?life|end(?:ing)?\s+it(?:\s+all)?|hurt(?:ing)?\s+(?:yourself|myself)"
    r"|harm(?:ing)?\s+(?:yourself|myself)|self[- ]?harm\w*|cut(?:ting)?\s+(?:yourself|myself)|overdos\w*"
    r"|want(?:ed)?\s+to\s+die|wish(?:ed)?\s+(?:you|i)\s+(?:were|was)\s+(?:dead|gone)|not\s+(?:be(?:ing)?|wak\w+)"
    r"\s+(?:here|alive|up)|better\s+off\s+dead|die|dying|kill\s+(?:myself|yourself)|noose|rope|pills|tablets"
    r"|end(?:ing)?\s+things|guns?|firearms?|keep\s+yourself\s+safe|stay\s+safe\s+tonight|thinking\s+about\s+(?:the\s+)?(?:bridge|edge|tracks|rope|pills|jumping)"
    r"|stockpil\w*|jump(?:ing)?\s+(?:off|from|in\s+front))\b"
)
_MEANS_WORDS = re.compile(
    r"\b(?:pills?|tablets?|meds|medications?|medicines?|painkillers|rope|noose|gun|firearm|weapon|knife|knives"
    r"|blades?|razors?|stash|supply|charcoal|poison)\b"
)
_QUESTION = re.compile(r"\?|\b(?:can you tell me|tell me|i'?m wondering|i wonder|let me know)\b")


@dataclass(frozen=True)
class Topic:
    name: str
    pattern: re.Pattern[str]
    category: Category
    severity: Severity
    # A bare "when?" (or "are you safe?" after a break-in) means nothing without a risk turn around it.
    needs_earlier_risk: bool
    risky_answer: str  # "affirm", "deny" (for "are you safe?") or "specific"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


TOPICS: tuple[Topic, ...] = (
    Topic(
        "safety",
        _rx(
            r"\b(?:are\s+you\s+(?:safe|going\s+to\s+be\s+(?:ok|okay|safe|alright))|(?:can|will|could)\s+you\s+(?:keep|stay)\s+(?:yourself\s+)?safe|will\s+you\s+be\s+(?:safe|ok|okay|alright)|do\s+you\s+feel\s+safe|can\s+you\s+promise|are\s+you\s+in\s+(?:danger|immediate\s+danger))\b"
        ),
        Category.INTENT_PLAN,
        Severity.HIGH,
        True,
        "deny",
    ),
    Topic(
        "means",
        _rx(
            r"\b(?:(?:do|did)\s+you\s+(?:still\s+)?(?:have|keep|got)|have\s+you\s+(?:still\s+)?(?:got|kept)|(?:are|is)\s+(?:they|it|the\s+\w+)\s+still|where\s+(?:are|is)\s+(?:the|your|those|that)|have\s+you\s+(?:thrown|got\s+rid\s+of|gotten\s+rid\s+of|given)|do\s+you\s+have\s+access\s+to|is\s+there\s+(?:a|any)\s+(?:gun|rope|firearm|weapon))\b"
        ),
        Category.METHOD_MEANS,
        Severity.HIGH,
        True,
        "affirm",
    ),
    Topic(
        "timing",
        _rx(
            r"^\W*when\W*$|\bwhen\s+(?:are|were|would|will|do|did|had)\s+you\s+(?:plan\w*|think\w*|going|intend\w*|want\w*|decide\w*|going\s+to|do\s+it|do\s+that)|\b(?:have|had)\s+you\s+(?:picked|chosen|decided\s+on|set|thought\s+about)\s+(?:a|the)\s+(?:day|date|time|when)|\bhow\s+soon\b|\bhave\s+you\s+decided\s+when\b|\bdecided\s+when\b|\bwhat\s+(?:day|time|date)\b|\bwhen\s+(?:would|will)\s+(?:that|it|this)\s+(?:be|happen)|\bwhen\s+(?:were|are)\s+you\s+thinking\b"
        ),
        Category.INTENT_PLAN,
        Severity.HIGH,
        True,
        "specific",
    ),
    Topic(
        "plan",
        _rx(
            r"\b(?:do|have)\s+you\s+(?:got\s+|have\s+|made\s+|thought\s+(?:about|of)\s+)?(?:a\s+plan|any\s+plans?|how\s+you\s+(?:would|might|will|could)|a\s+way|a\s+method)|\bhow\s+(?:would|will|were|are)\s+you\s+(?:do\s+it|going\s+to\s+do\s+it|planning\s+to|thinking\s+of\s+doing)|\bhave\s+you\s+thought\s+about\s+how\b|\bare\s+you\s+going\s+to\s+(?:jump|do\s+it|take\s+them|hurt\s+yourself|kill\s+yourself|end\s+it)|\bare\s+you\s+(?:planning|going|intending|thinking\s+of\s+going)\s+to\s+(?:take|use|do|swallow)\s+(?:them|it|that|those|the\s+\w+)|\bwhat\s+(?:would|will)\s+you\s+(?:use|do)\b"
        ),
        Category.INTENT_PLAN,
        Severity.HIGH,
        True,
        "affirm_or_specific",
    ),
    Topic(
        "self_harm",
        _rx(
            r"\b(?:have|did|do)\s+you\s+(?:\w+\s+)?(?:hurt|harm(?:ed)?|cut|burn(?:ed|t)?|injure[d]?)\s+yourself|\bhave\s+you\s+been\s+(?:\w+\s+)?(?:cutting|self[- ]?harming|hurting\s+yourself|harming\s+yourself|burning\s+yourself)|\bany\s+(?:self[- ]?harm|cutting)\b|\b(?:did|have)\s+you\s+(?:take|taken|swallow|swallowed)\s+(?:anything|them|any|some|the\s+\w+|more|extra)|\bhow\s+many\s+(?:did|have)\s+you\s+(?:take|taken|swallow)"
        ),
        Category.RECENT_ATTEMPT,
        Severity.HIGH,
        False,
        "affirm",
    ),
    Topic(
        "urges",
        _rx(
            r"\burges?\s+(?:to\s+)?(?:self[- ]?harm|hurt|harm|cut|burn)|\bwant\s+to\s+(?:hurt|harm|cut)\s+yourself\b"
        ),
        Category.SELF_INJURY,
        Severity.MEDIUM,
        False,
        "affirm",
    ),
    Topic(
        "ideation",
        _rx(
            r"\b(?:are|have)\s+you\s+(?:been\s+)?(?:having\s+|had\s+|feeling\s+|getting\s+)?(?:any\s+)?(?:thoughts?|thinking|thought)\s+(?:of|about)\s+(?:suicide|killing|ending|taking\s+your|hurting\s+yourself|not\s+being|dying|death|harming)|\bare\s+you\s+(?:feeling\s+|having\s+)?suicid\w*|\b(?:do|did)\s+you\s+(?:ever\s+|sometimes\s+|still\s+)?(?:want|wish|think\s+about\s+wanting)\s+to\s+(?:die|be\s+dead|end\s+(?:it|your\s+life)|kill\s+yourself|not\s+be\s+here|not\s+wake\s+up)|\bthoughts?\s+of\s+(?:suicide|ending|killing|self[- ]?harm|death)|\b(?:do|did)\s+you\s+(?:sometimes\s+|ever\s+)?wish\s+you\s+(?:were|weren'?t|could|wouldn'?t|didn'?t)\b|\bdo\s+you\s+mean\s+(?:suicide|killing\s+yourself|ending\s+your\s+life|you\s+want\s+to\s+die|self[- ]?harm\w*|cutting|hurting\s+yourself)|\bare\s+you\s+(?:thinking|considering)\s+(?:about\s+|of\s+)?(?:suicide|killing|ending|taking|jumping|overdosing|hanging|hurting\s+yourself|doing\s+something)|\bsuicid\w*\s+thoughts\b"
        ),
        Category.ACTIVE_IDEATION,
        Severity.HIGH,
        False,
        "affirm",
    ),
)

_AFFIRM = re.compile(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|yh|ye|y|uh\s*huh|mhm+|mm+|kind\s+of|kinda|sort\s+of|a\s+bit|a\s+little"
    r"|a\s+lot|sometimes|often|always|all\s+the\s+time|every\s+(?:day|night|single\s+day)|most\s+(?:days|nights)"
    r"|daily|constantly|i\s+think\s+so|maybe|probably|i\s+guess|i\s+do|i\s+have|i\s+am|i\s+did|i\s+still\s+do"
    r"|i\s+still\s+have|honestly,?\s+yes|more\s+than\s+(?:ever|before|usual)|lately|more\s+and\s+more|sadly"
    r"|unfortunately|not\s+gonna\s+lie|ngl|i\s+won'?t\s+lie|i\s+can'?t\s+lie|truthfully|i\s+kept|kept"
    r"|still|i\s+(?:might|may)(?:\s+have)?|might\s+do|possibly|could\s+be|afraid\s+so|i'?m\s+afraid\s+so|of\s+course|obviously|definitely"
    r"|absolutely|pretty\s+much|basically|i\s+suppose|a\s+few\s+times|once\s+or\s+twice|last\s+night"
    r"|yesterday|this\s+morning|earlier|again|twice|once|some|all\s+of\s+them|the\s+whole|loads|heaps)\b"
)
_DENY = re.compile(
    r"^\W*(?:no|nope|nah|na|n|not\s+really|not\s+sure|i'?m\s+not\s+sure|i\s+don'?t\s+know|idk|dunno|i\s+doubt\s+it"
    r"|probably\s+not|i\s+don'?t\s+think\s+so|no\s+idea|maybe\s+not|i\s+can'?t|i\s+can'?t\s+promise|not\s+tonight"
    r"|not\s+right\s+now|i\s+won'?t|i\s+don'?t\s+feel\s+safe|not\s+at\s+all|i'?m\s+not|not\s+safe|hard\s+to\s+say)\b"
)
_PLAIN_DENY = re.compile(
    r"^\W*(?:no|nope|nah|never|not\s+really|not\s+at\s+all|no\s+way|of\s+course\s+not|i\s+don'?t(?!\s+know)|i\s+haven'?t"
    r"|i\s+wouldn'?t|i\s+didn'?t|not\s+anymore|none|nothing|i\s+threw\s+them|i\s+got\s+rid|they'?re\s+gone"
    r"|gave\s+them|i\s+gave\s+them|i'?m\s+(?:fine|ok|okay|safe)|i'?m\s+not|not\s+(?:now|lately|since))\b"
)
_SPECIFIC = re.compile(
    r"\b(?:tonight|tomorrow|today|this\s+(?:weekend|week|evening|afternoon)|next\s+(?:week|month)|soon"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|after\s+(?:work|school|the|my|everyone|they"
    r"|he|she|christmas|dinner|the\s+funeral)|before\s+(?:the|my|christmas|new\s+year)|at\s+\d|\d+\s*(?:am|pm)"
    r"|midnight|when\s+(?:everyone|they|he|she|my\s+\w+)\s+(?:is|are|goes|go|leaves?|falls?)|on\s+the\s+\d+"
    r"|pills|tablets|overdose|rope|hang\w*|jump\w*|bridge|train|gun|knife|blades?|razor|drown\w*|car|cliff"
    r"|roof|balcony|motorway|tracks|all\s+of\s+them|the\s+whole\s+(?:bottle|box|pack)|\d+|in\s+my\s+(?:drawer"
    r"|bag|room|car|cupboard|cabinet|wardrobe|bedside)|under\s+my\s+(?:bed|mattress)|hidden|hid\s+them"
    r"|kept\s+them|still\s+(?:have|got)\s+them)\b"
)


def _is_question_about(turn: str, topic: Topic) -> bool:
    return bool(_QUESTION.search(turn)) and bool(topic.pattern.search(turn))


_AFFIRM_ANYWHERE = re.compile(
    r"\b(?:yes|yeah|yep|some\s+days|sometimes|most\s+days|every\s+day|a\s+lot|often)\b"
)
# A short reply naming the risk itself, after any question ("Relapsed with what?" - "self harm").
_NAMED = (
    (
        re.compile(
            r"\b(?:goodbye\s+(?:letters?|notes?)|suicide\s+notes?|for\s+when\s+i'?m\s+(?:gone|not\s+(?:around|here))"
            r"|for\s+after|(?:i'?m|i\s+am)\s+going\s+to\s+do\s+it|have\s+everything\s+i\s+need)\b"
        ),
        Category.INTENT_PLAN,
        "reply.named_plan",
    ),
    (
        re.compile(
            r"^\W*(?:jumping|jump|hanging|hang\s+myself|overdosing|an\s+overdose|overdose|pills|the\s+pills"
            r"|the\s+bridge|the\s+rope|drowning|the\s+train|in\s+front\s+of\s+a\s+train)\W*$"
        ),
        Category.METHOD_MEANS,
        "reply.named_method",
    ),
    (
        re.compile(
            r"^\W*(?:self[- ]?harm(?:ing|ed)?|cutting|cut|cut\s+myself|cutting\s+myself|hurting\s+myself"
            r"|hurt\s+myself|burning\s+myself|burned\s+myself|burnt\s+myself|sh)\W*$"
        ),
        Category.SELF_INJURY,
        "reply.named_self_harm",
    ),
    (
        re.compile(
            r"^\W*(?:the\s+)?(?:(?:urge|need|wish|want|temptation)\s+)?(?:to\s+)?(?:suicide|killing\s+myself|kill\s+myself|ending\s+(?:it|it\s+all|my\s+life)"
            r"|end\s+(?:it|it\s+all|my\s+life)|dying|die|not\s+being\s+here|not\s+be\s+here)\W*$"
        ),
        Category.ACTIVE_IDEATION,
        "reply.named_ideation",
    ),
)
NAMED_MAX_WORDS = 6
PLAN_MAX_WORDS = 12  # plan phrases are specific enough to read in a longer reply
# "I don't know how much longer I can do this." - "Do what?" - "Live."
_LIVING = re.compile(
    r"^\W*(?:live|living|being\s+alive|existing|life|staying\s+alive|breathing|this\s+life)\W*$"
)
_CANT_GO_ON = re.compile(
    r"\b(?:how\s+(?:much\s+)?longer|can'?t|cannot|can\s+not|could\s?n'?t)\s+(?:\w+\s+){0,4}?(?:do\s+(?:this|it)|go\s+on"
    r"|keep\s+going|carry\s+on|cope|take\s+(?:it|this))"
)


def named_in_reply(reply: str, context: list[str]) -> tuple[Category, str] | None:
    """A reply of a few words that names the risk itself, answering a question."""
    if not context or not _QUESTION.search(context[-1]):
        return None
    words = len(reply.split())
    for pattern, category, rule_id in _NAMED:
        limit = PLAN_MAX_WORDS if category is Category.INTENT_PLAN else NAMED_MAX_WORDS
        if words <= limit and pattern.search(reply):
            return category, rule_id
    if (
        words <= NAMED_MAX_WORDS
        and _LIVING.search(reply)
        and any(_CANT_GO_ON.search(t) for t in context[-3:-1])
    ):
        return Category.PASSIVE_WISH, "reply.named_living"
    return None


def _answers(reply: str, topic: Topic) -> bool:
    if topic.risky_answer == "deny":
        return bool(_DENY.search(reply))
    if _PLAIN_DENY.search(reply) and not _AFFIRM_ANYWHERE.search(reply):
        return False
    if _AFFIRM_ANYWHERE.search(reply) and topic.risky_answer != "specific":
        return True
    if topic.risky_answer == "specific":
        return bool(_SPECIFIC.search(reply)) or bool(_AFFIRM.search(reply) and len(reply.split()) > 2)
    if topic.risky_answer == "affirm_or_specific":
        return bool(_AFFIRM.search(reply) or _SPECIFIC.search(reply))
    return bool(_AFFIRM.search(reply) or (_SPECIFIC.search(reply) and topic.name in ("means", "self_harm")))


def reply_in_context(
    reply: str, context: list[str], risky: Callable[[str], bool] = lambda turn: False
) -> tuple[Topic, str] | None:
    """The risk topic a short reply answers, with the rule id, or None."""
    if not context or len(reply.split()) > MAX_REPLY_WORDS:
        return None
    question = context[-1]
    earlier = context[-5:-1]
    for topic in TOPICS:
        if not _is_question_about(question, topic):
            continue
        if topic.needs_earlier_risk and not (
            _RISK_TOPIC.search(question)
            or any(_RISK_TOPIC.search(turn) for turn in earlier)
            or any(
                risky(turn) for turn in earlier
            )  # an earlier turn the rules flag ("I don't want to be here")
        ):
            continue
        if topic.name == "means" and not any(_MEANS_WORDS.search(turn) for turn in context[-5:]):
            continue  # "do you still have them?" about holiday days or receipts
        if _answers(reply, topic):
            return topic, f"reply.{topic.name}"
    return None
