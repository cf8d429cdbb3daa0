"""Hopelessness and feeling a burden: the lowest rung, reviewed within a day."""

from __future__ import annotations

from sessions_app.risk.detection.lexicon import CANT, rx
from sessions_app.risk.detection.types import Category, Rule

HOPE = Category.HOPELESSNESS
_MUNDANE = rx(
    r"\b(?:train|bus|tram|flight|refund|parcel|delivery|flat|apartment|house\s+hunting|landlord|council|team|match"
    r"|game|season|league|weather|exam|test\s+results?|promotion|pay\s+rise|raise|deal|dating\s+apps?|apps?"
    r"|wifi|printer|traffic|queue|tickets?|maths?|cooking|directions|spelling|financially|money|bank|rent|bills"
    r"|budget|costs?|paperwork|admin|finding\s+a\s+(?:flat|job|place|parking)|appointments?|gp|trying\s+to\s+(?:get|find|book)"
    r"|at\s+work|my\s+job|the\s+job|office|boss|manager|nhs)\b"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "hopelessness.burden",
        HOPE,
        rx(
            r"\b(?:i'?m|im|i\s+am|i\s+feel\s+like\s+(?:i'?m|im|i\s+am)?|i\s+feel\s+like|feel\s+like\s+(?:i'?m\s+)?|i'?ve\s+become|i\s+have\s+become|i'?m\s+just|i\s+was\s+born|always\s+been)\s*(?:such\s+|just\s+|nothing\s+but\s+|only\s+)?(?:a|an)\s+(?:huge\s+|massive\s+|total\s+|complete\s+|constant\s+|big\s+)?(?:burden|drain|waste\s+of\s+(?:space|air|oxygen|a\s+life))\b"
        ),
        unless_sentence=_MUNDANE,
        unless_after=rx(
            r"^\s*(?:of\s+(?:a\s+)?(?:tax|paperwork|admin|an?\s+\w+\s+form)|on\s+the\s+(?:budget|system|nhs)"
            r"|(?:on|to)\s+(?:nobody|no\s*one|no-one))\b"
        ),
    ),
    Rule(
        "hopelessness.better_without_me",
        HOPE,
        rx(
            r"\b(?:everyone|everybody|they|my\s+(?:family|kids|children|wife|husband|partner|parents|friends|mum|mom|dad)|the\s+world|people|he|she|you\s+all)(?:'?d|\s+would|\s+will|'?ll)?\s+(?:(?:all|honestly|really|probably|definitely|just|genuinely|so\s+much|much)\s+)?(?:be\s+)?(?:better|happier|fine|okay|ok|relieved)\s+(?:off\s+)?(?:without\s+me|if\s+i\s+(?:was|were)(?:n'?t|\s+not)\s+(?:here|around|alive)|if\s+i\s+(?:was|were|'?m)\s+gone|when\s+i'?m\s+gone|if\s+i\s+died)\b"
        ),
        negatable=False,
    ),
    Rule(
        "hopelessness.nobody_would_care",
        HOPE,
        rx(
            r"\b(?:no\s*one|nobody|no-one|would\s+anyone|would\s+anybody|does\s+anyone|who)\s+(?:would|will|'?d|even)?\s*(?:even\s+)?(?:care|notice|miss\s+me|mind|cry|come\s+to\s+my\s+funeral)\s*(?:at\s+all\s+)?(?:if|when|once)\s+i\s+(?:died|was\s+gone|were\s+gone|disappeared|wasn'?t\s+here|weren'?t\s+here|was\s+dead|killed\s+myself|left\s+for\s+good|stopped\s+existing)\b"
        ),
        negatable=False,
    ),
    Rule(
        "hopelessness.hopeless",
        HOPE,
        rx(
            r"\b(?:i\s+feel|feel|i'?m|im|i\s+am|feeling|felt|everything\s+(?:is|feels)|it\s+(?:all\s+)?(?:feels|is)|it'?s\s+(?:all\s+)?|life\s+(?:is|feels)|my\s+life\s+(?:is|feels)|so|just)\s*(?:completely\s+|totally\s+|so\s+|utterly\s+|really\s+|pretty\s+|very\s+|just\s+)?hopeless\b"
        ),
        unless_after=rx(
            r"^\s*(?:at|with|when\s+it\s+comes\s+to|about\s+(?:maths?|cooking|directions|names|tech|computers|sports?))\b|^\s*(?:romantic|case)\b"
        ),
        unless_sentence=_MUNDANE,
    ),
    Rule(
        "hopelessness.no_hope",
        HOPE,
        rx(
            rf"\b(?:there'?s|there\s+is|i\s+have|i'?ve\s+got|i\s+see|there'?s\s+just)\s+no\s+(?:hope|future|way\s+out|light\s+at\s+the\s+end)(?:\s+(?:left|anymore|for\s+me|in\s+sight))?\b|\b(?:i\s+)?(?:{CANT}|don'?t)\s+see\s+(?:a|any)\s+(?:way\s+out|future|point(?:\s+in\s+(?:anything|going\s+on|living|trying))?)\b|\bno\s+hope\s+(?:left|anymore)\b|\bi'?ve\s+(?:lost|given\s+up)\s+(?:all\s+)?hope\b"
        ),
        unless_after=rx(
            r"^\s*(?:of|for)\s+(?:the|my|our|this|that|a)\s+(?:team|match|game|project|deal|job|flat|house|exam|bus|train|money|refund|parcel|promotion)\b|^\s*(?:in|at|with)\s+(?:this|that|my)\s+(?:job|company|relationship|role|course)\b"
        ),
        unless_sentence=_MUNDANE,
        negatable=False,
    ),
    Rule(
        "hopelessness.never_better",
        HOPE,
        rx(
            r"\b(?:nothing|it|things|life|this)\s+(?:will|is\s+going\s+to|is\s+ever\s+going\s+to|'?s\s+never\s+going\s+to|will\s+ever)\s+(?:ever\s+)?(?:get|be|feel)\s+better\b(?!\s+(?:than|at|with))|\b(?:it|things|life|nothing)\s+(?:will\s+)?never\s+(?:ever\s+)?(?:gets?|be|feels?)\s+better\b|\b(?:it|things|life)(?:'s|\s+is)\s+never\s+(?:ever\s+)?going\s+to\s+(?:get|be|feel)\s+better\b(?!\s+(?:than|at|with))|\bwhat'?s\s+the\s+point\s+(?:of\s+(?:anything|any\s+of\s+(?:it|this)|trying|even\s+trying|it\s+all|everything))?\s*(?:anymore|any\s?more)?\s*[?.!]*\s*$"
        ),
        unless_sentence=rx(
            r"\b(?:weather|traffic|team|match|season|game|wifi|printer|car|knee|back|cold|flu|rash|cough|exam|economy|company|printer|dishes|cleaning|arguing|argue|him|her)\b"
        ),
        negatable=False,
    ),
    # --- 1.1
    Rule(
        "hopelessness.taking_space",
        HOPE,
        rx(
            r"\b(?:just|only)\s+taking\s+up\s+(?:space|room|air|oxygen)\b|\bpointless\s+(?:existence|life)\b|\bmy\s+life\s+is\s+(?:pointless|meaningless|worthless)\b"
        ),
        unless_sentence=_MUNDANE,
    ),
    # --- 1.2
    Rule(
        "hopelessness.never_change",
        HOPE,
        rx(
            r"\b(?:nothing|things|life|my\s+life|it)\s+(?:is\s+)?(?:ever\s+)?(?:going\s+to|will|gonna|is\s+going\s+to)\s+(?:ever\s+)?(?:change|improve)\b"
        ),
        unless_sentence=_MUNDANE,
    ),
    # --- 1.3
    Rule(
        "hopelessness.give_up",
        HOPE,
        rx(
            r"\b(?:i\s+)?(?:give|gave|giving|given)\s+up\s+on\s+(?:everything|life|living|myself|it\s+all|being\s+alive)\b"
        ),
    ),
    # --- 1.5
    Rule(
        "hopelessness.no_point",
        HOPE,
        rx(
            r"\bno\s+point\s+(?:in|to)\s+(?:anything|living|life|going\s+on|any\s+of\s+(?:it|this)|me|my\s+life|being\s+here)\b"
        ),
        negatable=False,
    ),
)
