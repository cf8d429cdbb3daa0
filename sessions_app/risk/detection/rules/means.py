"""Method and means: how much of a medicine is lethal, how high a fall must be, where to get a rope,
having the means at hand. Most carry no "suicide" keyword at all."""

from __future__ import annotations

from sessions_app.risk.detection.lexicon import FILLER, LETHAL, MEANS_OBJECT, MYSELF, SUBSTANCE, rx
from sessions_app.risk.detection.types import Category, Rule, Severity

MEANS = Category.METHOD_MEANS

# Ordinary dosing, pets, study and safety questions: the same words, no risk.
_SAFE_DOSING = rx(
    r"\b(?:safe(?:ly)?|safe\s+to|(?:in|per|a)\s+(?:a\s+)?day|daily|per\s+dose|every\s+\d+\s+hours|with\s+food"
    r"|headache|migraine|period\s+pain|cramps?|fever|toothache|back\s+pain|hangover|cold|flu|allergy|allergies"
    r"|dogs?|cats?|puppy|kitten|pets?|horse|child\s+proof|childproof|toddler|baby|kids?\s+(?:got|ate|swallowed)"
    r"|accidental(?:ly)?|prevent\w*|avoid\w*|naloxone|narcan|reverse|antidote|pharmacology|toxicology"
    r"|nursing\s+(?:exam|course|class|school)|for\s+(?:my|an?|the)\s+(?:exam|essay|class|course|assignment|module))\b"
)
_PEACEFUL_USE = rx(
    r"\b(?:camping|tent|boat|sailing|climb\w*|garden\w*|washing\s+line|clothes\s*line|tow\w*|swing|hammock"
    r"|barbecue|bbq|grill|balloons?|party|birthday|mice|rats\s+in|rodents?|pest|hunting|range|shooting\s+club"
    r"|shaving|shave|craft\w*|diy|boxes|parcel|moving|tug\s+of\s+war|skipping|gym|crossfit|yacht|horse)\b"
)
_FALL = r"(?:fall|falls|drop|jump|jumps|building|bridge|floor|storey|story|stories|cliff|balcony|roof|car\s+park|parking\s+garage|tower)"

RULES: tuple[Rule, ...] = (
    Rule(
        "means.lethal_dose",
        MEANS,
        rx(
            rf"\b(?:lethal|fatal|deadly|toxic|overdose|od)\s+(?:dose|amount|quantity|level|limit)s?\b|\bhow\s+(?:many|much){FILLER}\s+(?:of\s+)?(?:\w+\s+)?{SUBSTANCE}{FILLER}{FILLER}\s+(?:\w+\s+)?{LETHAL}\b|\bhow\s+(?:many|much){FILLER}\s+(?:\w+\s+)?{LETHAL}|\b{SUBSTANCE}\s+(?:would|will|does\s+it\s+take\s+to|to)\s+(?:\w+\s+)?{LETHAL}"
        ),
        unless_sentence=_SAFE_DOSING,
    ),
    Rule(
        "means.can_die_from",
        MEANS,
        rx(
            rf"\b(?:can|could|would|will|does|do|is\s+it\s+possible\s+to|what\s+happens\s+if)\s+(?:you|someone|a\s+person|people|one|i|it)\s+(?:die|overdose|od|not\s+wake\s+up)\s+(?:from|of|on|if|after)\b|\bwould\s+(?:\d+|a\s+(?:whole|full)\s+(?:bottle|pack|box|packet|strip)|all\s+(?:of\s+)?(?:my|these|the|them)|that\s+many|a\s+handful|(?:twenty|thirty|forty|fifty|ten|twelve|fifteen|a\s+hundred)){FILLER}\s+(?:kill|be\s+enough\s+to\s+kill|be\s+fatal|be\s+lethal|do\s+it|stop\s+my\s+heart)\b|\bwhat\s+(?:happens|would\s+happen)\s+if\s+(?:you|i|someone)\s+(?:take|took|swallow|swallowed|drink|drank|ate|eat)\s+(?:a\s+|an\s+|the\s+)?(?:whole|entire|full|all)\b|\b(?:is\s+it\s+possible|can\s+you|can\s+i|could\s+you|is\s+it\s+easy)\s+to\s+(?:overdose|od|die)\s+(?:on|from)\b|\bcan\s+(?:you|i|someone|people)\s+(?:overdose|od)\s+on\b|\bcan\s+{SUBSTANCE}\s+kill\s+(?:you|someone|a\s+person|me)\b"
        ),
        unless_sentence=_SAFE_DOSING,
    ),
    Rule(
        "means.fall_height",
        MEANS,
        rx(
            rf"\bhow\s+(?:high|tall|far|many\s+(?:floors|storeys|stories))\b{FILLER}{FILLER}\s+(?:\w+\s+)?(?:{_FALL})(?:\s+[a-z']+){{0,10}}?\s+(?:die|dying|kill|fatal|lethal|survive|be\s+sure|guarantee|certain|instant|not\s+survive)|\b(?:which|what)\s+(?:floor|storey|height|bridge|building)\s+(?:\w+\s+)?(?:is|would\s+be|'?s)\s+(?:high|tall)\s+enough\b|\b(?:tallest|highest)\s+(?:bridge|building|cliff|car\s+park|parking\s+garage|tower)s?\b{FILLER}\s+(?:to\s+jump|jump\s+(?:off|from)|to\s+fall)\b"
        ),
        unless_sentence=rx(
            r"\b(?:bungee|skydiv\w*|parachut\w*|paraglid\w*|cat|cats|dog|egg|phone|drone|physics|homework|climbing|ladder\s+safety|work\s+at\s+height|scaffold\w*)\b"
        ),
    ),
    Rule(
        "means.get_means",
        MEANS,
        rx(
            rf"\b(?:where|how)\s+(?:can|could|do|would|should|to|might)\s+(?:i|you|one|someone|a\s+person|people)?\s*(?:buy|get|find|obtain|get\s+hold\s+of|order|source|make|tie|build)\s+(?:a\s+|some\s+|the\s+|enough\s+)?(?:strong\s+|thick\s+|proper\s+)?(?:{MEANS_OBJECT}|{SUBSTANCE}\s+without\s+a\s+prescription|enough\s+{SUBSTANCE})\b"
        ),
        unless_sentence=_PEACEFUL_USE,
    ),
    Rule(
        "means.how_to_method",
        MEANS,
        rx(
            rf"\bhow\s+(?:to|do\s+(?:you|i|people)|would\s+(?:you|i|someone)|can\s+(?:i|you)|could\s+(?:i|you)|does\s+one|should\s+i)\s+(?:properly\s+)?(?:tie\s+a\s+noose|make\s+a\s+noose|hang\s+(?:{MYSELF}|yourself|oneself|someone)|slit\s+(?:my|your|the)\s+wrists?|cut\s+(?:my|your)\s+wrists?|overdose|od\b|poison\s+(?:{MYSELF}|yourself)|drown\s+(?:{MYSELF}|yourself)|suffocate\s+(?:{MYSELF}|yourself)|bleed\s+out|die\s+(?:quickly|painlessly|in\s+(?:my|your)\s+sleep|without\s+pain)|end\s+(?:it|my\s+life|your\s+life)\s+(?:painlessly|quickly|peacefully))\b|\b(?:painless(?:est)?|peaceful|quick(?:est)?|fast(?:est)?|easi(?:est|er)|best|surest|most\s+reliable|least\s+painful|simplest|cleanest)\s+(?:way|ways|method|methods)\s+(?:to|of)\s+(?:die|dying|end\s+(?:it|my\s+life|your\s+life|things)|kill\s+(?:{MYSELF}|yourself|oneself)|go(?!\s+(?:to|home|there|about|back|shopping|out|on|up|down|into|from|through|over|for|with|abroad|viral))|commit\s+\w+|overdose)\b|\bdoes\s+(?:hanging|drowning|bleeding\s+out|jumping|an\s+overdose|overdosing|carbon\s+monoxide|slitting|dying)\s+(?:hurt|take\s+long)\b|\bhow\s+long\s+(?:does\s+it\s+take|would\s+it\s+take|until|before)\s+(?:to\s+|you\s+|someone\s+)?(?:die|bleed\s+out|lose\s+consciousness|pass\s+out|stop\s+breathing)\s+(?:from|by|after|when|if|with|on)\b|\bhow\s+deep\s+(?:do|would|should|does)\s+(?:you|i|it)\s+(?:need\s+to\s+|have\s+to\s+)?(?:cut|go)\b|\bwhich\s+(?:vein|artery)\b"
        ),
        unless_sentence=rx(
            r"\b(?:character|novel|plot|scene|film|movie|episode|game|murder\s+mystery|crime\s+story|detective)\b|\bhow\s+to\s+(?:go\s+to|get\s+to)\b"
        ),
    ),
    Rule(
        "means.stockpile",
        MEANS,
        rx(
            rf"\b(?:i'?ve|i\s+have|i'?m|i\s+am|i|been)\s+(?:been\s+)?(?:saving|stockpiling|hoarding|collecting|storing|stashing|keeping\s+back|not\s+taking|hiding|saved|stockpiled|hoarded|collected|stashed|hid|hidden)\s+(?:up\s+)?(?:all\s+)?(?:of\s+)?(?:my|some|the|these|a\s+(?:lot|bunch|few)\s+of|a\s+few|a\s+couple\s+of|extra|enough)?\s*(?:\w+\s+)?{SUBSTANCE}\b|\b(?:a|my)\s+(?:secret\s+|little\s+|hidden\s+)?(?:stash|supply|stockpile|hoard)\s+of\s+(?:[\w']+\s+){{0,3}}{SUBSTANCE}\b|\b(?:i\s+have|i'?ve\s+got|i\s+got|got|there'?s)\s+enough\s+(?:\w+\s+)?{SUBSTANCE}\s+(?:now|to|saved|stored|hidden|put\s+away|to\s+(?:do\s+it|end\s+it|not\s+wake\s+up))"
        ),
        unless_sentence=rx(
            r"\b(?:for\s+(?:a|the|my)\s+(?:trip|holiday|vacation|flight|journey)|travel\w*|pharmacy\s+(?:is\s+)?(?:closed|shut)|shortage|in\s+case\s+(?:the\s+)?(?:pharmacy|shops?))\b"
        ),
    ),
    Rule(
        "means.have_means",
        MEANS,
        rx(
            r"\b(?:i'?ve|i\s+have|i\s+just|i|i'?ve\s+just)\s+(?:got|bought|ordered|found|got\s+hold\s+of|picked\s+up|made|tied|hidden|hid|keep|kept|have)\s+(?:a|the|some|my|another)\s+(?:new\s+|[\w]+'s\s+)?(?:rope|noose|gun|pistol|handgun|firearm|razor\s+blades?|blades?|ligature|helium\s+tank|charcoal)\b"
        ),
        severity=Severity.MEDIUM,
        unless_sentence=_PEACEFUL_USE,
    ),
    Rule(
        "means.method_intent",
        MEANS,
        rx(
            r"\b(?:(?:(?:i|i'?ve|i\s+have|i\s+keep|i\s+was|been)\s+(?:looked|looking|checked|checking|researched|researching|googled|googling|searched|searching|read|reading)\s+(?:up\s+)?(?:on\s+|into\s+|about\s+)?(?:methods|ways\s+to\s+(?:die|end\s+it|kill\s+myself)|how\s+to\s+(?:die|end\s+it|kill\s+myself|overdose)|lethal\s+doses?|how\s+many\s+(?:of\s+)?(?:my\s+|the\s+|these\s+)?\w+\s+(?:it\s+(?:takes|would\s+take)|would\s+kill|to\s+take)|bridges|overdoses?|nooses?))|(?:stood|standing|sat|sitting|was)\s+(?:on|at)\s+(?:the\s+)?(?:edge|ledge|bridge|roof|railway|train\s+tracks|platform\s+edge|tracks)\b(?:\s+\w+){0,6}?\s+(?:thinking|wanting|ready|about)\s+(?:about\s+)?(?:jumping|to\s+jump|it|falling|stepping))"
        ),
        unless_sentence=rx(
            r"\b(?:essay|class|course|assignment|research\s+(?:paper|project)|thesis|novel|story|article|news)\b"
        ),
    ),
    # --- 1.1: quantity questions without a named substance; jump sites; bleeding out
    Rule(
        "means.how_many_to",
        MEANS,
        rx(
            r"\bhow\s+(?:many|much)\s+(?:[a-z'-]+\s+){0,4}?(?:would|will|does|do|did)\s+(?:it|you|i|someone|a\s+person)\s+(?:take|need)\s+(?:to\s+)?(?:not\s+wake|never\s+wake|die|kill|overdose|od\b|be\s+(?:lethal|fatal|enough)|end\s+it|stop\s+(?:my|your|the)\s+heart)"
        ),
        unless_sentence=_SAFE_DOSING,
    ),
    Rule(
        "means.jump_site",
        MEANS,
        rx(
            r"\b(?:which|what)\s+(?:is\s+the\s+)?(?:bridge|cliff|car\s+park|multi-?storey|viaduct)s?\s+(?:[a-z']+\s+){0,5}?(?:is|are|'s)\s+(?:the\s+)?(?:highest|tallest)\b|\b(?:highest|tallest)\s+(?:bridge|cliff|car\s+park|multi-?storey|viaduct)s?\s+(?:near|around|in)\s+(?:me|here)\b"
        ),
        severity=Severity.MEDIUM,
        unless_sentence=rx(
            r"\b(?:tourist|visit\w*|trip|holiday|photo\w*|view|walk|hike|climb\w*|engineer\w*|architect\w*|school\s+project)\b"
        ),
    ),
    Rule(
        "means.bleed_out",
        MEANS,
        rx(
            r"\bhow\s+long\s+(?:does\s+it\s+take|would\s+it\s+take|until|before)\s+(?:to\s+|you\s+|someone\s+|a\s+person\s+)?(?:bleed\s+out|bleed\s+to\s+death|lose\s+consciousness|stop\s+breathing|die)\b"
        ),
        unless_sentence=rx(
            r"\b(?:character|novel|plot|scene|film|movie|episode|game|story|first\s+aid|course|exam|class|patient)\b"
        ),
    ),
    # --- 1.2
    Rule(
        "means.dose_is_fatal",
        MEANS,
        rx(
            r"\b(?:dose|doses|amount|quantity|number|much|many)\s+(?:of\s+)?(?:[a-z'-]+\s+){0,3}?(?:is|would\s+be|are|will\s+be|'s|could\s+be)\s+(?:a\s+)?(?:fatal|lethal|deadly|enough\s+to\s+(?:kill|die|not\s+wake\s+up))\b"
        ),
        unless_sentence=_SAFE_DOSING,
    ),
    Rule(
        "means.buy_quantity",
        MEANS,
        rx(
            rf"\b(?:buy|get|order|stock\s+up\s+on|pick\s+up)\s+(?:a\s+lot\s+of|lots\s+of|loads\s+of|enough|a\s+(?:big|large|huge)\s+(?:amount|supply|stash)\s+of|several\s+(?:boxes|packs|bottles)\s+of|multiple\s+(?:boxes|packs|bottles)\s+of)\s+(?:\w+\s+)?{SUBSTANCE}\b|\b{SUBSTANCE}\s+without\s+(?:being\s+questioned|anyone\s+(?:knowing|noticing|asking)|questions)\b"
        ),
        unless_sentence=_SAFE_DOSING,
    ),
    Rule(
        "means.saved_just_in_case",
        MEANS,
        rx(
            rf"\b(?:box|boxes|bottle|bottles|pack|packs|packet|stash|load|pile|bag)\s+of\s+(?:\w+\s+)?{SUBSTANCE}\s+(?:saved|stashed|hidden|hoarded|put\s+aside|set\s+aside|stored|collected|kept)\b|\b{SUBSTANCE}\s+(?:[a-z]+\s+){{0,2}}?(?:saved|stashed|hidden|hoarded|put\s+aside|set\s+aside|stored)\s+(?:up\s+|away\s+)?(?:just\s+in\s+case|for\s+(?:when|if|later|the\s+right\s+time|a\s+bad\s+(?:day|night)))"
        ),
        unless_sentence=rx(
            r"\b(?:trip|holiday|travel\w*|flight|pharmacy\s+(?:is\s+)?(?:closed|shut)|shortage|first\s+aid\s+kit)\b"
        ),
    ),
    # --- 1.3
    Rule(
        "means.looking_at_site",
        MEANS,
        rx(
            r"\b(?:looking|staring|stared|looked|walked|walking|went|go|going|drove|driving)\s+(?:at|to|down\s+to|up\s+to|over\s+to)\s+(?:the\s+)?(?:train\s+tracks|railway(?:\s+line)?|tracks|bridge|ledge|edge|cliffs?|roof|top\s+floor|motorway\s+bridge)\b(?:\s+[a-z']+){0,6}?\s+(?:thinking|and\s+thought|wondering|wanting|imagining)"
        ),
        severity=Severity.MEDIUM,
    ),
    Rule(
        "means.all_my_pills",
        MEANS,
        rx(
            rf"\b(?:would|will|could)\s+(?:[a-z]+\s+){{0,6}}?all\s+(?:of\s+)?my\s+(?:\w+\s+)?{SUBSTANCE}\s+(?:do\s+it|be\s+enough|kill\s+me|work)\b|\b{SUBSTANCE}\s+(?:all\s+)?(?:lined\s+up|counted\s+out|laid\s+out)\b"
        ),
    ),
    # --- 1.4: a drug named with death in the same sentence; overdose questions
    Rule(
        "means.substance_and_death",
        MEANS,
        rx(
            rf"\b{SUBSTANCE}\b(?:\s+[a-z',]+){{0,8}}?\s+(?:deadliest|most\s+deadly|most\s+lethal|lethal|fatal|kill\s+(?:me|you|someone|a\s+person)|enough\s+to\s+(?:die|kill|not\s+wake)|to\s+die)\b|\b(?:die|kill\s+(?:me|myself|you|someone)|deadliest|most\s+lethal)\b(?:\s+[a-z',]+){{0,6}}?\s+{SUBSTANCE}\b|\b(?:an?\s+)?(?:\w+\s+)?overdose\s+(?:kill|be\s+fatal|be\s+lethal|hurt)\b|\b(?:best|quickest|easiest|surest|painless\w*)\s+way\s+to\s+(?:overdose|od)\b"
        ),
        severity=Severity.MEDIUM,
        unless_sentence=_SAFE_DOSING,
    ),
    Rule(
        "means.stash_where",
        MEANS,
        rx(
            rf"\b(?:big|huge|secret|little|hidden|whole)\s+(?:stash|supply|stockpile|pile|bag|box)\s+of\s+(?:\w+\s+)?{SUBSTANCE}\b"
        ),
        unless_sentence=_SAFE_DOSING,
    ),
    # --- 1.5
    Rule(
        "means.jump_kill",
        MEANS,
        rx(
            r"\b(?:jumping|falling|a\s+fall|a\s+jump|jump)\s+(?:from|off)\s+(?:[\w-]+\s+){0,4}?(?:kill\s+(?:me|you|someone|a\s+person)|be\s+fatal|be\s+lethal|be\s+enough)\b|\b(?:which|what)\s+(?:\w+\s+)?(?:pills|tablets|meds|drugs|medications?)\s+(?:are|is)\s+(?:the\s+)?(?:easiest|best|quickest|most\s+\w+)\s+to\s+(?:overdose|od|die)\b"
        ),
        unless_sentence=rx(r"\b(?:cat|dog|egg|phone|game|character|film|parachut\w*|bungee|physics)\b"),
    ),
)
