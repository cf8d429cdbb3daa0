"""Self-harm and attempts: what happened recently (high), and urges or ongoing self-injury (medium)."""

from __future__ import annotations

from sessions_app.risk.detection.lexicon import FILLER, MYSELF, SUBSTANCE, SUICIDE, rx
from sessions_app.risk.detection.types import Category, Rule, Severity

ATTEMPT = Category.RECENT_ATTEMPT
INJURY = Category.SELF_INJURY

# Accidents and figures of speech around the same verbs.
_ACCIDENT = rx(
    r"\b(?:shaving|shave|cooking|chopping|peel\w*|slic\w*|grat\w*|dicing|cutting\s+(?:onions?|vegetables|bread|meat)|kitchen|knife\s+slipped"
    r"|on\s+(?:a|the|some)\s+(?:knife|glass|paper|can|tin|oven|stove|iron|pan|kettle|fence|nail|bramble)"
    r"|paper\s+cut|accident\w*|by\s+mistake|slipped|tripped|fell\s+(?:off|over|down)|playing|football"
    r"|soccer|rugby|training|the\s+gym|lifting|running|skiing|hiking|climbing|workout|sprain\w*|pulled\s+a"
    r"|ironing|baking|curling\s+iron|straighteners|hair|stove|oven|kettle|bbq|barbecue|sunburn\w*|burnt?\s+the"
    r"|toast|dinner|slack|off\s+from|out\s+of|some\s+slack|a\s+break|bush|thorns?|brambles?|branch|rose"
    r"|by\s+accident|on\s+(?:a|an|the|some)\s+(?:\w+\s+)?(?:bush|tree|fence|table|door|shelf|corner|edge|tin|can|glass"
    r"|knife|nail|plant|rock|stone|wall|car))\b"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "harm.attempt",
        ATTEMPT,
        rx(
            rf"\b(?:i|i'?ve|i\s+have|i\s+had|i\s+just|i\s+nearly|i\s+almost)\s+(?:just\s+|actually\s+|really\s+|already\s+|nearly\s+|almost\s+)?(?:tried|attempted|try|tryed)\s+(?:again\s+)?(?:to\s+)?(?:kill\s+{MYSELF}|end\s+(?:my\s+life|it(?:\s+all)?)|take\s+my\s+(?:own\s+)?life|{SUICIDE}|overdose|od\b|hang\s+{MYSELF}|drown\s+{MYSELF}|jump|cut\s+my\s+wrists?|slit\s+my\s+wrists?)|\b(?:my|i\s+made\s+an?|i\s+survived\s+an?|after\s+my)\s+(?:last\s+|second\s+|third\s+|first\s+|recent\s+)?(?:{SUICIDE}\s+)?attempt\b|\bi\s+attempted\b"
        ),
        needs_self=True,
    ),
    Rule(
        "harm.overdose_taken",
        ATTEMPT,
        rx(
            rf"\b(?:i|i'?ve|i\s+have|i\s+just|just)\s+(?:took|taken|swallowed|downed|had|necked|ate|take)\s+(?:a\s+(?:whole\s+|full\s+)?|an\s+entire\s+|the\s+(?:whole|entire)\s+)?(?:bunch|handful|bottle|packet|pack|box|strip|load|lot|all|loads|too\s+many|way\s+too\s+many|double|triple|\d{{2,}}|twenty|thirty|forty|fifty|(?:a\s+)?(?:few|couple)\s+extra|extra|more\s+than\s+i\s+should)\s+(?:of\s+)?(?:my\s+|the\s+|them|those\s+)?(?:\w+\s+)?{SUBSTANCE}?|\bi\s+(?:overdosed|od'?d|od'?ed|o\.d\.'?d)\b|\b(?:i\s+)?(?:took|take|swallowed)\s+(?:all|the\s+rest)\s+of\s+(?:my|the|them|those)\b"
        ),
        unless_sentence=rx(
            r"\b(?:vitamins?|supplements?|gummies|sweets|candy|cookies|photos|pictures|notes|shots|selfies|courses|classes|lessons|breaks?|steps|days?\s+off|coffee|caffeine|netflix|sugar|chocolate|tea|water|deep\s+breaths?)\b|\bextra\s+(?:shifts?|hours|time|care|work)\b"
        ),
    ),
    Rule(
        "harm.cut_recent",
        ATTEMPT,
        rx(
            rf"\b(?:i|i'?ve|i\s+have|i\s+had|i\s+just|i\s+ended\s+up|and)\s+(?:just\s+|ended\s+up\s+|went\s+and\s+|actually\s+)?(?:cut|burned|burnt|hurt|harmed|scratched|carved|stabbed|punched|hit|bashed|bit|strangled|choked)\s+(?:{MYSELF}|into\s+my|my\s+(?:arms?|wrists?|legs?|thighs?|skin|stomach|hips?|chest|face)|my\s+self)\b(?:{FILLER}\s+(?:again|last\s+night|yesterday|today|this\s+(?:week|morning)|earlier|on\s+purpose|deep|deeper|bad|badly|pretty\s+bad))?"
        ),
        needs_self=True,
        unless_sentence=_ACCIDENT,
    ),
    Rule(
        "harm.relapse",
        ATTEMPT,
        rx(
            r"\b(?:i\s+)?(?:relapsed|relapse|slipped\s+up)\s+(?:\w+\s+){0,3}?(?:with|on|into|and)?\s*(?:self[- ]?harm\w*|sh\b|cutting|burning|hurting\s+myself|the\s+cutting)|\bbroke\s+my\s+(?:\w+\s+)?(?:streak|clean\s+streak|clean\s+time)\b|\b(?:started|starting)\s+(?:cutting|self[- ]?harming|burning\s+myself|hurting\s+myself)\s+again\b"
        ),
    ),
    Rule(
        "harm.ongoing",
        INJURY,
        rx(
            rf"\b(?:i'?ve|i\s+have|i'?m|i\s+am|i|been|keep|still)\s+(?:been\s+)?(?:still\s+)?(?:cutting|self[- ]?harming|harming\s+{MYSELF}|hurting\s+{MYSELF}|burning\s+{MYSELF}|scratching\s+{MYSELF}|hitting\s+{MYSELF}|punching\s+(?:walls|{MYSELF})|picking\s+at\s+my\s+(?:skin|scabs)\s+until\s+(?:it|they)\s+bleeds?|cut(?=\s+(?:again|a\s+lot|every|when|to\s+cope|most|daily|myself|more|deep|deeper|badly|bad|too))|self[- ]?harm)\b(?:\s+(?:again|a\s+lot|every\s+(?:day|night)|more|most\s+nights|daily))?"
        ),
        needs_self=True,
        unless_after=rx(
            r"^\s*(?:down|back|out|off|it\s+(?:out|off|short)|ties|corners|up\b|in\s+(?:line|front)|my\s+(?:hair|losses|hours"
            r"|nails|spending)|costs?|carbs|sugar|the\s+(?:grass|lawn|hedge|cake|cord|crap))"
        ),
        unless_sentence=_ACCIDENT,
    ),
    Rule(
        "harm.urge",
        INJURY,
        rx(
            rf"\b(?:urges?|want|wanting|wanna|need|needing|tempted|itching|craving|desperate|close)\s+(?:to\s+|of\s+)?(?:cut|cutting|self[- ]?harm\w*|hurt\s+{MYSELF}|harm\s+{MYSELF}|burn\s+{MYSELF}|hurt\s+my\s+body|punish\s+{MYSELF}\s+physically|hit\s+{MYSELF}|bleed|feel\s+the\s+blade)\b"
        ),
        needs_self=True,
        unless_sentence=rx(
            r"\b(?:cut\s+(?:back|down|out|it|off|the|my\s+(?:hair|losses|hours|spending|nails)|ties|corners|carbs|sugar|costs?|in\s+line|class|school)|hair|fringe|bangs|budget|lawn|grass|losses)\b"
        ),
    ),
    Rule(
        "harm.urges_back",
        INJURY,
        rx(
            r"\b(?:the\s+)?(?:urges?|cravings?|thoughts?)\s+(?:to\s+\w+\s+)?(?:is|are|have|has|keep|came|come|'?re|'?s)\s+(?:been\s+)?(?:coming\s+|come\s+)?back\b|\b(?:urges?|thoughts?)\s+(?:are|is|have\s+been|got)\s+(?:really\s+|so\s+|very\s+)?(?:strong|bad|loud|worse|constant|overwhelming)\b"
        ),
        unless_sentence=rx(
            r"\b(?:smok\w*|cigarettes?|vap\w*|drink\w*|alcohol|beer|wine|gambl\w*|bet\w*|binge|eat\w*|food|snack\w*|sugar|shopping|spend\w*|text\w*\s+(?:him|her|my\s+ex)|call\w*\s+(?:him|her|my\s+ex)|nails|porn|weed|coke|games?|gaming|scroll\w*|phone)\b"
        ),
        needs_topic=rx(
            r"\b(?:cut\w*|self[- ]?harm\w*|hurt\w*\s+(?:myself|yourself)|blades?|razors?|burn\w*\s+(?:myself|yourself)|suicid\w*|kill\w*\s+(?:myself|yourself)|end(?:ing)?\s+(?:it|my\s+life|your\s+life)|die|dying|dead|overdos\w*|pills)\b"
        ),
    ),
    # --- 1.1: "I self harmed again last night", "scratching my arms until they bleed"
    Rule(
        "harm.self_harmed",
        ATTEMPT,
        rx(
            r"\b(?:i|i'?ve|i\s+have|i\s+had|i\s+just|just)\s+(?:\w+\s+)?(?:self[- ]?harmed|sh'?d|self[- ]?injured)\b"
        ),
        needs_self=True,
    ),
    Rule(
        "harm.until_bleed",
        INJURY,
        rx(
            r"\b(?:scratch\w*|pick\w*|cut\w*|carv\w*|dig\w*|claw\w*|pull\w*)\s+(?:at\s+)?(?:my\s+)?(?:arms?|wrists?|legs?|thighs?|skin|stomach|hips?|face|scalp|hair)\s+(?:[a-z']+\s+){0,2}?(?:until|till|til|so)\s+(?:it|they)\s+(?:bleeds?|bled|bleeding)\b"
        ),
        needs_self=True,
    ),
    # --- 1.3
    Rule(
        "harm.after_hurting",
        ATTEMPT,
        rx(rf"\b(?:after|from|for)\s+(?:hurting|cutting|burning|harming|injuring)\s+{MYSELF}\b"),
        unless_sentence=_ACCIDENT,
    ),
    Rule(
        "harm.need_pain",
        INJURY,
        rx(
            r"\b(?:need|needed|want|crave|craving)\s+to\s+feel\s+(?:physical\s+)?(?:pain|the\s+pain|something\s+physical|the\s+sting)\b"
        ),
        severity=Severity.LOW,
        needs_self=True,
    ),
    # --- 1.4
    Rule(
        "harm.took_overdose",
        ATTEMPT,
        rx(
            r"\b(?:i|i'?ve|i\s+have|i\s+had|just)\s+(?:\w+\s+)?(?:took|taken|had|did|done)\s+(?:an?\s+|another\s+|my\s+)?(?:\w+\s+)?overdose\b"
        ),
        needs_self=True,
    ),
    Rule(
        "harm.on_purpose",
        INJURY,
        rx(
            rf"\b(?:burn\w*|cut\w*|hurt\w*|hit\w*|scratch\w*|scald\w*|bang\w*|punch\w*|bit|bite|biting)\s+(?:\w+\s+){{0,6}}?(?:on\s+purpose|deliberately|to\s+punish\s+{MYSELF}|to\s+feel\s+(?:something|better|real))\b"
        ),
        needs_self=True,
        unless_sentence=rx(
            r"\b(?:he|she|they|my\s+(?:brother|sister|son|daughter|kid|child|dog|cat|partner))\s+(?:\w+\s+){0,2}?(?:burn|cut|hurt|hit|scratch|bit|punch)\w*"
        ),
    ),
)
