"""Intent and plans: a decision, a time, preparations, goodbyes."""

from __future__ import annotations

from sessions_app.risk.detection.lexicon import END_LIFE, FILLER, MYSELF, SOON, SUBSTANCE, SUICIDE, rx
from sessions_app.risk.detection.types import Category, Rule, Severity

INTENT = Category.INTENT_PLAN
_ACT = (
    rf"(?:{END_LIFE}|die|jump\s+(?:off|from|in\s+front)|overdose|od\b|hang\s+{MYSELF}|drown\s+{MYSELF}"
    rf"|slit\s+my\s+wrists?|end\s+(?:it|things)(?!\s+(?:with|between|there))\b|take\s+(?:all|the\s+rest|every\s+one|a\s+whole\s+\w+)\s+(?:of\s+)?(?:my|the|these|those)\s+(?:\w+\s+)?{SUBSTANCE}|do\s+it\s+(?:for\s+real|properly|this\s+time)|go\s+through\s+with\s+it|{SUICIDE})"
)
_NOT_LEAVING = rx(
    r"\b(?:appointment|dentist|doctor|trip|travel\w*|flight|away|out\s+of\s+(?:town|office)|working|shift|work"
    r"|busy|holiday|vacation|offline|on\s+call|camping|festival|wedding|conference|visiting|moving|move"
    r"|hospital\s+for\s+(?:a|my)\s+(?:scan|test|operation|surgery))\b"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "intent.going_to",
        INTENT,
        rx(
            rf"\b(?:i'?m|im|i\s+am|i'?ll|ill|i\s+will|i'?ve\s+decided\s+to|i\s+have\s+decided\s+to|decided\s+to|gonna|going\s+to|about\s+to|ready\s+to|planning\s+(?:to|on)|plan\s+to|intend\s+to|i'?m\s+set\s+on)\s+(?:finally\s+|just\s+|actually\s+|really\s+)?(?:going\s+to\s+|gonna\s+)?{_ACT}"
        ),
        needs_self=True,
        unless_after=rx(
            r"^\s*(?:of\s+(?:embarrassment|boredom|laughter|shame)|laughing|trying|at\s+work|if\s+(?:i|you)\s+(?:have\s+to|eat|hear|see))\b"
        ),
    ),
    Rule("intent.when", INTENT, rx(rf"\b{END_LIFE}{FILLER}\s+{SOON}"), needs_self=True),
    Rule(
        "intent.soon_then",
        INTENT,
        rx(
            rf"\b(?:tonight|tomorrow|this\s+weekend)\b{FILLER}\s+(?:i'?ll|i\s+will|i'?m\s+going\s+to|i'?m\s+gonna)\s+(?:finally\s+)?{_ACT}"
        ),
    ),
    Rule(
        "intent.have_plan",
        INTENT,
        rx(
            rf"\b(?:i'?ve|i\s+have|i\s+made|i'?ve\s+got|i\s+got|i\s+worked\s+out|i\s+know)\s+(?:made\s+|got\s+|a\s+|the\s+)?(?:a\s+|my\s+)?(?:plan|way|method|date|day|time)\s+(?:to|for|of|on\s+how\s+to|how\s+to)\s+(?:{END_LIFE}|die|do\s+it|end\s+it|go)\b|\bi\s+know\s+(?:exactly\s+)?how\s+(?:i'?d|i\s+would|i'?ll|i\s+will|i'?m\s+going\s+to|to)\s+(?:{END_LIFE}|do\s+it|end\s+it)\b"
        ),
        unless_after=rx(r"^\s*(?:to\s+(?:the|a|work|school)|home|out)\b"),
    ),
    Rule(
        "intent.decided",
        INTENT,
        rx(
            rf"\b(?:i'?ve|i\s+have|i)\s+(?:made\s+up\s+my\s+mind|made\s+(?:the|my|a)\s+decision|decided|picked\s+(?:a|the)\s+(?:day|date|time|place|spot))\b{FILLER}\s*(?:to\s+|that\s+i'?ll\s+|that\s+i'?m\s+going\s+to\s+)?(?:{END_LIFE}|die|not\s+be\s+here|go\s+through\s+with\s+it|end\s+it)"
        ),
    ),
    Rule(
        "intent.note",
        INTENT,
        rx(
            r"\b(?:wrote|written|writing|write|left|drafted|drafting|finished|typed)\s+(?:a\s+|my\s+|the\s+|some\s+)?(?:suicide\s+note|goodbye\s+(?:letters?|notes?|messages?|texts?|videos?)|farewell\s+(?:letters?|notes?|messages?)|letters?\s+to\s+(?:everyone|my\s+(?:family|kids|children|parents))\s+(?:for\s+)?(?:when|after|before)\s+i'?m\s+gone|last\s+letters?|notes?\s+for\s+(?:when|after)\s+i'?m\s+gone)\b"
        ),
        unless_sentence=rx(
            r"\b(?:job|work|colleagues|team|school|uni|house|flat|city|era|chapter|younger\s+self|old\s+self|future\s+self|exercise|like\s+you\s+suggested|therapist\s+suggested|my\s+ex|just\s+for\s+me|deleted\s+it|burned\s+it|never\s+sent)\b"
        ),
    ),
    Rule(
        "intent.goodbye",
        INTENT,
        rx(
            r"\bthis\s+is\s+(?:my\s+)?(?:goodbye|the\s+end|my\s+last\s+(?:message|night|day))\b|\bby\s+the\s+time\s+(?:you|anyone|someone)\s+(?:read|reads|see|sees|find|finds)\s+this\b|\bgoodbye\s+(?:forever|everyone|world|for\s+good)\b|\b(?:won'?t|will\s+not|wont)\s+be\s+(?:here|around|alive)\s+(?:tomorrow|much\s+longer|for\s+much\s+longer|by\s+(?:tomorrow|the\s+morning|monday|next\s+week)|after\s+tonight|next\s+week)\b|\b(?:i'?ve|i\s+have)\s+(?:already\s+)?said\s+my\s+goodbyes\b|\bthank\s+you\s+for\s+everything[,.]?\s+(?:goodbye|i'?m\s+sorry|this\s+is\s+it)\b"
        ),
        unless_sentence=_NOT_LEAVING,
    ),
    Rule(
        "intent.giving_away",
        INTENT,
        rx(
            r"\b(?:i'?ve|i\s+have|i'?m|i\s+am|i|been)\s+(?:been\s+)?(?:giving|gave|given)\s+away\s+(?:all\s+)?(?:my|most\s+of\s+my)\s+(?:stuff|things|belongings|possessions|pets?|cat|dog|clothes|books|savings)\b"
        ),
        severity=Severity.MEDIUM,
        unless_sentence=rx(
            r"\b(?:mov(?:e|ing)|declutter\w*|downsiz\w*|minimalis\w*|charity\s+shop|spring\s+clean\w*|kondo|emigrat\w*|new\s+(?:flat|house|place|apartment)|too\s+much\s+stuff|outgrown)\b"
        ),
    ),
    # --- 1.1: "I'll be gone by tomorrow", giving things away in either word order
    Rule(
        "intent.gone_by",
        INTENT,
        rx(
            r"\b(?:i'?ll|i\s+will|i\s+won'?t|i'?m\s+going\s+to)\s+(?:be\s+)?(?:gone|dead|at\s+peace|not\s+be\s+(?:here|alive|around))\s+(?:by|before|soon|tomorrow|tonight|after)\b"
        ),
        unless_sentence=_NOT_LEAVING,
    ),
    Rule(
        "intent.giving_things",
        INTENT,
        rx(
            r"\b(?:giving|gave|given|give)\s+(?:all\s+)?(?:my|most\s+of\s+my)\s+(?:stuff|things|belongings|possessions|pets?|savings)\s+away\b"
        ),
        severity=Severity.MEDIUM,
        unless_sentence=rx(
            r"\b(?:mov(?:e|ing)|declutter\w*|downsiz\w*|minimalis\w*|charity\s+shop|spring\s+clean\w*|emigrat\w*|new\s+(?:flat|house|place|apartment)|outgrown)\b"
        ),
    ),
    # --- 1.3
    Rule(
        "intent.last_time",
        INTENT,
        rx(
            r"\b(?:the\s+)?last\s+time\s+(?:you'?ll|you\s+will|anyone\s+will|you'?re\s+going\s+to)\s+(?:ever\s+)?(?:hear\s+from|see|talk\s+to|speak\s+to)\s+me\b"
        ),
        unless_sentence=_NOT_LEAVING,
    ),
    Rule(
        "intent.worked_out_how",
        INTENT,
        rx(
            rf"\b(?:worked\s+out|figured\s+out|planned\s+out|planned|thought\s+through|decided)\s+(?:exactly\s+)?how\s+(?:i'?d|i\s+would|i'?ll|i\s+will|i'?m\s+going\s+to|to)\s+(?:{END_LIFE}|do\s+it|end\s+it|go)\b"
        ),
        severity=Severity.MEDIUM,
    ),
    # --- 1.4
    Rule(
        "intent.left_notes",
        INTENT,
        rx(
            r"\b(?:left|leaving|written|wrote|writing)\s+(?:\w+\s+)?(?:notes?|letters?|messages?|a\s+note|a\s+letter)\s+(?:for|to)\s+(?:my\s+)?(?:family|kids|children|wife|husband|partner|parents|mum|dad|everyone)\s+(?:explaining|saying\s+(?:sorry|goodbye)|for\s+when|for\s+after|to\s+read\s+(?:after|when))"
        ),
        unless_sentence=rx(
            r"\b(?:holiday|trip|away|work|school|shopping|chores|dinner|fridge|babysitter|birthday|christmas)\b"
        ),
    ),
    Rule(
        "intent.ready_to_go",
        INTENT,
        rx(
            r"\bready\s+to\s+(?:go|die|leave\s+this\s+world|be\s+gone)\b(?=.{0,80}\bgoodbye)|\bsaid\s+(?:my\s+)?goodbyes?\b(?=.{0,40}\bready\b)"
        ),
        unless_sentence=_NOT_LEAVING,
    ),
)
