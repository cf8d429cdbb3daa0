"""Thoughts of death and of killing oneself: the passive wish and active ideation."""

from __future__ import annotations

from sessions_app.risk.detection.lexicon import (
    ALIVE,
    CANT,
    DONT,
    END_LIFE,
    FILLER,
    KILLING,
    MYSELF,
    SUICIDAL,
    SUICIDE,
    I,
    rx,
)
from sessions_app.risk.detection.types import Category, Rule, Severity

ACTIVE = Category.ACTIVE_IDEATION
PASSIVE = Category.PASSIVE_WISH

# "... than do X" and "die of embarrassment" are idioms, not wishes.
_IDIOM_DIE = rx(
    r"^\s*(?:of|from|laughing|with|inside|for (?:a|some|this)|than|on (?:stage|the inside)|a little"
    r"|when (?:i|you) (?:see|hear|saw|heard))\b"
)
_OTHER_LIVING = rx(r"^\s*(?:in|with|at|near|there|together|on|under|without (?:my|a|the) )\b")

RULES: tuple[Rule, ...] = (
    Rule(
        "ideation.kill_self_bare",
        ACTIVE,
        rx(rf"\b{END_LIFE}"),
        needs_self=True,
        unless_after=rx(
            r"^\s*(?:trying|to (?:finish|get|meet|make|keep|pay|impress|please)|at (?:work|the gym)|over (?:this|that|it|a|the)|for (?:this|a|the|them|him|her|work)|with (?:work|this)|working|laughing|running)"
        ),
    ),
    Rule(
        "ideation.suicidal",
        ACTIVE,
        rx(
            rf"\b(?:{I}|been|feel(?:ing)?|felt|get(?:ting)?|so|very|really|pretty|quite|kinda|bit|little|was|am|been having|having|had|have|keep having|constant|these){FILLER}\s+{SUICIDAL}\b"
        ),
        needs_self=True,
        unless_after=rx(r"^\s*(?:friend|patient|client|person|people|callers?|teen|teens|characters?)\b"),
    ),
    Rule(
        "ideation.suicidal_start",
        ACTIVE,
        rx(rf"^\W*{SUICIDAL}\b"),
        unless_after=rx(r"^\s*\w+\s+(?:friend|patient|person|people|callers?)"),
    ),
    Rule(
        "ideation.thoughts_of",
        ACTIVE,
        rx(
            rf"\b(?:thoughts?|thinking|think|thought|dreaming|fantasi[sz]ing|obsessing|considering|contemplating|researching|googling|planning)\s+(?:about|of)\s+(?:{SUICIDE}|{KILLING}\s+{MYSELF}|ending\s+(?:it|my\s+life|things|everything)|taking\s+my\s+(?:own\s+)?life|not\s+(?:being\s+(?:here|alive|around)|existing|waking\s+up)|dying|how\s+to\s+die|how\s+to\s+end\s+it|how\s+i\s+(?:would|could|'?d)\s+(?:do\s+it|end\s+it)|jumping|overdosing|hanging\s+{MYSELF})\b"
        ),
        needs_self=True,
        unless_after=rx(
            r"^\s*(?:prevention|awareness|rates?|statistics|stats|hotlines?|lines?|squad|mission|doors?|bombers?|bombing|notes? (?:in|from) (?:the|a) (?:film|book|movie|show))\b"
        ),
        unless_sentence=rx(
            r"\b(?:grandma|grandpa|grandmother|grandfather|my (?:mum|mom|dad|father|mother|pet|dog|cat)|funeral|will and testament|life insurance|retire)\b.{0,40}\bdeath|death\b.{0,40}\b(?:grandma|grandpa|grandmother|grandfather|my (?:mum|mom|dad|father|mother|pet|dog|cat))"
        ),
    ),
    Rule(
        "ideation.suicide_option",
        ACTIVE,
        rx(
            rf"\b{SUICIDE}\s+(?:is|seems|feels|looks|sounds)\s+(?:like\s+)?(?:the|my|a)\s+(?:only\s+|best\s+|last\s+)?(?:way|option|answer|solution|choice|way out|escape)"
        ),
    ),
    Rule(
        "ideation.considering",
        ACTIVE,
        rx(
            rf"\b(?:considering|contemplating|googling|researching|looking\s+up|reading\s+up\s+on|planning|obsessed\s+with)\s+{SUICIDE}\b|\b{SUICIDE}\s+(?:has\s+been|is|keeps|kept|was)\s+(?:\w+\s+)?(?:on\s+my\s+mind|in\s+my\s+head|crossing\s+my\s+mind|all\s+i\s+(?:think|can\s+think)\s+about)"
        ),
        needs_self=True,
        unless_after=rx(
            r"^\s*(?:prevention|awareness|rates?|statistics|stats|hotlines?|lines?|squad|mission|doors?|bombers?|bombing)\b"
        ),
    ),
    Rule("ideation.commit", ACTIVE, rx(rf"\b(?:commit|committing|committed)\s+{SUICIDE}\b"), needs_self=True),
    Rule(
        "ideation.dont_want_live",
        PASSIVE,
        rx(
            rf"\b(?:{DONT}|do\s?n'?t|didn'?t|no\s+longer|not\s+sure\s+(?:if\s+|that\s+)?i|don'?t\s+(?:think|know\s+if|feel\s+like)\s+i|doubt\s+(?:that\s+)?i|really\s+don'?t|just\s+don'?t|dont\s+even)\s+(?:(?:really|even|just|actually)\s+)?(?:wanna\s+|want\s+to\s+|want\s+|feel\s+like\s+)?(?:to\s+)?(?:{ALIVE})(?:\s+anymore|\s+any\s?more)?\b"
        ),
        unless_after=_OTHER_LIVING,
        negatable=False,
    ),
    Rule(
        "ideation.want_die",
        PASSIVE,
        rx(
            r"\b(?:want|wanna|wanted|wanting|wish|need|ready|longing|praying|pray)\s+(?:to\s+)?(?:just\s+)?(?:die|be dead|stop existing|not exist|cease to exist|not be alive|not be here(?: anymore)?|disappear forever|disappear for good|vanish forever|be gone for good|sleep forever|go to sleep forever)\b"
        ),
        unless_after=_IDIOM_DIE,
        needs_self=True,
    ),
    Rule(
        "ideation.wish_dead",
        PASSIVE,
        rx(
            r"\bwish(?:ing|ed)?\s+(?:that\s+)?i\s+(?:was|were|could\s+be|had\s+been|'d\s+been|would)\s+(?:dead|never\s+born|gone|not\s+alive|not\s+here|die|just\s+die|disappear|stop\s+existing|cease\s+to\s+exist)\b"
        ),
        unless_after=_IDIOM_DIE,
    ),
    Rule(
        "ideation.never_born",
        PASSIVE,
        rx(r"\b(?:wish|wished)\s+i(?:\s+had\s+|'d\s+|\s+)never\s+(?:been\s+born|existed|woken\s+up)\b"),
        negatable=False,
    ),
    Rule(
        "ideation.not_wake",
        PASSIVE,
        rx(
            r"\b(?:hope|hoping|wish|wishing|pray|praying|want)\s+(?:[a-z]+\s+){0,3}?(?:that\s+)?(?:i\s+)?(?:just\s+|really\s+)?(?:don'?t|do not|won'?t|will not|never|wouldn'?t|would not|to not|not\s+to|not)\s+wake\s+up\b|\b(?:go\s+to\s+sleep|fall\s+asleep|sleep)\s+and\s+(?:never|not)\s+wake\s+up\b"
        ),
        unless_after=rx(r"^\s*(?:early|until|till|before|at|for (?:work|school))\b"),
        negatable=False,
    ),
    Rule(
        "ideation.better_dead",
        PASSIVE,
        rx(
            r"\b(?:better|easier)\s+off\s+dead\b|\b(?:i'?d|i\s+would|id)\s+(?:rather|prefer\s+to)\s+be\s+dead\b(?!\s+than\s+(?!keep|go\s+on|live|feel|be\b|carry|continue|spend|wake|face|deal))|\bbeing\s+dead\s+would\s+be\s+(?:easier|better|a\s+relief|peaceful)|\bdeath\s+(?:would\s+be|sounds\s+like|feels\s+like|seems\s+like)\s+(?:a\s+)?(?:relief|rest|peace|the\s+answer|an\s+escape|better)"
        ),
    ),
    Rule(
        "ideation.rather_die",
        PASSIVE,
        rx(
            r"\b(?:rather|sooner)\s+(?:die|be\s+dead)\s+than\s+(?:keep|go\s+on|live|feel|be\b|carry\s+on|continue|spend|wake|face|deal)"
        ),
    ),
    Rule(
        "ideation.no_reason",
        PASSIVE,
        rx(
            r"\b(?:no|any|have\s+no|lost\s+my|can'?t\s+find\s+a|without\s+a)\s+reasons?\s+(?:left\s+)?(?:for\s+me\s+)?(?:to|for)\s+(?:live|living|stay|staying|be\s+alive|be\s+here|keep\s+going|go\s+on|exist)\b|\bnothing\s+(?:left\s+)?to\s+live\s+for\b|\blife\s+(?:isn'?t|is\s+not|is\s+no\s+longer|isnt|stopped\s+being|doesn'?t\s+feel)\s+worth\s+(?:living|it)\b|\bwhat'?s\s+the\s+point\s+(?:of|in)\s+(?:living|being\s+alive|staying\s+alive|going\s+on|life|existing|me)\b"
        ),
        negatable=False,
    ),
    Rule(
        "ideation.tired_of_living",
        PASSIVE,
        rx(
            r"\b(?:tired|sick|exhausted|weary)\s+of\s+(?:living|being\s+alive|life|existing|being\s+here)\b|\bdone\s+with\s+(?:life|living|being\s+alive|existing)\b"
        ),
        unless_after=rx(r"^\s*(?:in|at|with|like\s+(?:a|an)\s+(?:student|tourist))\b"),
    ),
    Rule(
        "ideation.welcome_death",
        PASSIVE,
        rx(
            r"\b(?:hope|hoping|wish|wishing|pray|praying)\s+(?:that\s+)?(?:i\s+(?:die|get\s+hit|get\s+killed|crash|don'?t\s+make\s+it|never\s+come\s+back|get\s+cancer)|(?:a\s+)?(?:car|bus|truck|train)\s+hits\s+me|something\s+kills\s+me|the\s+plane\s+crashes)\b|\b(?:wouldn'?t|would\s+not)\s+mind\s+(?:dying|if\s+i\s+died|not\s+waking\s+up|being\s+dead)\b|\b(?:welcome|look\s+forward\s+to|can'?t\s+wait\s+for)\s+(?:death|dying|my\s+death)\b"
        ),
    ),
    Rule(
        "ideation.want_to_disappear",
        PASSIVE,
        rx(
            r"\b(?:want|wanna|wish\s+i\s+could|need)\s+(?:to\s+)?(?:just\s+)?(?:disappear|vanish|stop\s+existing|not\s+exist|fade\s+away)\b"
        ),
        severity=Severity.LOW,
        unless_after=rx(
            r"^\s*(?:for\s+(?:a|the|an|some|few)\b|to\s+|into\s+|under\s+|from\s+(?:work|the\s+office|social)|on\s+(?:holiday|vacation)|somewhere|off\s+(?:the\s+)?(?:grid|social)|until|till|offline|from\s+this\s+(?:party|meeting))"
        ),
    ),
    Rule(
        "ideation.cant_go_on",
        Category.HOPELESSNESS,
        rx(
            rf"\b{CANT}\s+(?:go\s+on|keep\s+going|keep\s+living|do\s+(?:this|life|it)\s+any\s?more|take\s+(?:it|this|much\s+more|any\s+more|this\s+life)\s*(?:any\s?more|much\s+longer)?|live\s+like\s+this|carry\s+on)\b"
        ),
        unless_after=rx(
            r"^\s*(?:with\s+(?:this|him|her|the|my)\s+(?:job|class|course|relationship|project|diet|schedule|plan|commute)|at\s+(?:this|that|work)|working|in\s+this\s+(?:job|role|house|flat|city))\b"
        ),
        negatable=False,
    ),
    # --- 1.1: more ways of wishing to be dead, and "feel like killing myself"
    Rule(
        "ideation.wish_not_here",
        PASSIVE,
        rx(
            r"\bwish(?:ed|ing)?\s+(?:that\s+)?i\s+(?:[a-z']+\s+){0,6}?(?:not\s+be\s+(?:here|alive|around)|not\s+wake\s+up|never\s+wake\s+up|be\s+dead|die\b|be\s+gone\s+(?:for\s+good|forever)|stop\s+existing|cease\s+to\s+exist)"
        ),
        unless_after=_IDIOM_DIE,
    ),
    Rule(
        "ideation.easier_dead",
        PASSIVE,
        rx(
            r"\b(?:dying|death|being\s+dead|not\s+being\s+(?:here|alive|around)|not\s+existing|not\s+waking\s+up)\s+(?:would|might|could|'d)\s+(?:be|feel)\s+(?:so\s+much\s+|much\s+|a\s+lot\s+|far\s+)?(?:easier|better|a\s+relief|peaceful|kinder|simpler)|\b(?:easier|better)\s+(?:for\s+everyone\s+)?if\s+i\s+(?:was|were|'?m)\s+(?:dead|gone|not\s+(?:here|around|alive))|\b(?:easier|better)\s+(?:for\s+everyone\s+)?if\s+i\s+(?:died|didn'?t\s+wake\s+up|wasn'?t\s+(?:here|around|alive)|weren'?t\s+(?:here|around|alive))"
        ),
        negatable=False,
    ),
    Rule(
        "ideation.something_happen",
        PASSIVE,
        rx(
            r"\b(?:hope|hopes|hoping|wish|wishing|pray|praying)\s+(?:that\s+)?something\s+(?:bad\s+|terrible\s+)?(?:would\s+|will\s+)?happens?\s+to\s+me\b|\b(?:hope|hopes|hoping)\s+(?:that\s+)?i\s+(?:get\s+hit|die|get\s+killed|don'?t\s+make\s+it|never\s+wake)"
        ),
    ),
    Rule(
        "ideation.dont_care_if_live",
        PASSIVE,
        rx(
            r"\b(?:don'?t|do\s+not|dont|no\s+longer)\s+(?:really\s+|even\s+)?care\s+(?:if|whether)\s+i\s+(?:wake\s+up|live|die|make\s+it|survive|am\s+alive|'?m\s+alive)\b"
        ),
        severity=Severity.LOW,
        negatable=False,
    ),
    Rule(
        "ideation.not_come_back",
        PASSIVE,
        rx(
            r"\b(?:sleep|go\s+away|disappear|leave|walk\s+away)\s+(?:[a-z']+\s+){0,6}?and\s+(?:just\s+)?(?:not|never)\s+(?:come\s+back|wake\s+up|return)\b"
        ),
        severity=Severity.LOW,
        negatable=False,
    ),
    Rule(
        "ideation.feel_like_killing",
        ACTIVE,
        rx(
            rf"\bfeel(?:ing)?\s+like\s+(?:{KILLING}\s+{MYSELF}|ending\s+(?:it\s+all|my\s+life|it)|taking\s+my\s+(?:own\s+)?life)\b"
        ),
        needs_self=True,
    ),
    # --- 1.2
    Rule(
        "ideation.if_i_died",
        PASSIVE,
        rx(
            r"\b(?:happy|fine|okay|ok|relieved|glad|better|cope|manage|move\s+on|get\s+over\s+it)\b(?:\s+[a-z']+){0,4}?\s+if\s+i\s+(?:just\s+)?(?:never\s+woke\s+up|didn'?t\s+wake\s+up|died|was\s+dead|were\s+dead|wasn'?t\s+(?:here|around|alive)|weren'?t\s+(?:here|around|alive)|never\s+came\s+back|disappeared\s+(?:forever|for\s+good)|killed\s+myself)\b"
        ),
        negatable=False,
        unless_sentence=rx(
            r"\b(?:will|pension|insurance|guardian|funeral\s+plan|savings|inherit\w*|estate|mortgage|who\s+(?:gets|would\s+get|looks\s+after))\b"
        ),
    ),
    Rule(
        "ideation.want_it_to_stop",
        PASSIVE,
        rx(
            r"\bwant\s+(?:it\s+all|everything|all\s+of\s+(?:it|this)|the\s+pain|this|life|my\s+life)\s+to\s+(?:stop|end|be\s+over)[\s,]+(?:forever|for\s+good|permanently|for\s+ever)\b"
        ),
        severity=Severity.LOW,
    ),
    Rule(
        "ideation.killing_myself_is",
        ACTIVE,
        rx(
            rf"(?:^\W*|\b(?:about|of|considered|considering|contemplating|imagine|imagining|picture|picturing)\s+){KILLING}\s+{MYSELF}\b|\b(?:{KILLING}\s+{MYSELF}|ending\s+(?:it\s+all|my\s+life)|{SUICIDE}|dying)\s+(?:is|has\s+been|was|feels\s+like)\s+(?:all\s+i\s+(?:can\s+)?think\s+about|(?:always\s+)?on\s+my\s+mind|the\s+only\s+(?:way|option|answer|thing))"
        ),
        needs_self=True,
        unless_after=rx(
            r"^\s*(?:trying|to\s+(?:finish|get|meet|make|keep|pay|impress|please)|at\s+(?:work|the\s+gym)|over\s+(?:this|that|it|a|the)|for\s+(?:this|a|the|them|him|her|work)|with\s+(?:work|this)|working|laughing|running)"
        ),
    ),
    # --- 1.3
    Rule(
        "ideation.sorry_still_here",
        PASSIVE,
        rx(
            r"\b(?:disappointed|annoyed|upset|sad|angry|gutted|sorry)\s+(?:that\s+)?i\s+(?:woke\s+up|wake\s+up|keep\s+waking\s+up|survived|made\s+it|am\s+still\s+(?:here|alive)|'?m\s+still\s+(?:here|alive))\b|\bif\s+i\s+(?:just\s+)?(?:died|was\s+dead|were\s+dead|didn'?t\s+wake\s+up|never\s+woke\s+up|wasn'?t\s+here)\b(?:\s+[a-z',]+){0,6}?\s+(?:it|that)\s*(?:would|'d|will)\s+be\s+(?:a\s+)?(?:relief|better|easier|fine|okay|for\s+the\s+best|a\s+blessing)"
        ),
        negatable=False,
    ),
    Rule(
        "ideation.option",
        ACTIVE,
        rx(
            rf"\b(?:see|seeing|saw|think\s+of|thinking\s+of|consider|considering|started\s+to\s+see)\s+{SUICIDE}\s+as\s+(?:an?\s+|my\s+|the\s+)?(?:real\s+)?(?:option|way\s+out|answer|solution|escape|choice)"
        ),
        needs_self=True,
    ),
    Rule(
        "ideation.fantasise_death",
        ACTIVE,
        rx(
            r"\b(?:fantasi[sz]\w*|daydream\w*|dream\w*|obsess\w*|romantici[sz]\w*)\s+(?:about|of|over)\s+(?:my\s+(?:own\s+)?death|dying|being\s+dead|not\s+being\s+(?:here|alive))\b"
        ),
        needs_self=True,
    ),
    # --- 1.4: not existing as the better option
    Rule(
        "ideation.better_not_existing",
        PASSIVE,
        rx(
            r"\b(?:better|easier|simpler|happier|a\s+relief|kinder)\s+(?:off\s+)?(?:to\s+)?(?:not\s+(?:existing|exist|being\s+(?:alive|here|around)|be\s+(?:alive|here|around))|never\s+(?:existing|having\s+been\s+born)|if\s+i\s+(?:wasn'?t|weren'?t|was\s+not|were\s+not)\s+(?:alive|here|around|born))\b|\b(?:would|'d)\s+be\s+(?:so\s+much\s+|much\s+|a\s+lot\s+|far\s+)?(?:easier|better|simpler|a\s+relief)\s+(?:to\s+)?(?:not\s+be\s+(?:here|alive|around)|to\s+die|if\s+i\s+died|to\s+not\s+exist|not\s+to\s+exist|to\s+be\s+dead|not\s+to\s+be\s+here)\b|\bhoping\s+(?:it'?s|it\s+is|this\s+is)\s+the\s+last\s+(?:time|night|day)\b"
        ),
        negatable=False,
    ),
    # --- 1.5
    Rule(
        "ideation.rather_not_be",
        PASSIVE,
        rx(
            r"\b(?:rather|prefer\s+to)\s+not\s+(?:be\s+alive|be\s+here|exist|wake\s+up|live|be\s+around)\b|\b(?:wish|wishing|hope|hoping|pray|praying)\s+(?:that\s+)?(?:a|an|the|some)\s+[a-z]+(?:\s+[a-z]+)?\s+would\s+(?:just\s+)?(?:take|kill|end)\s+me\b|\b(?:death|dying)\b[^.!?]{0,40}\b(?:feels|sounds|seems|would\s+be)\s+like\s+(?:a\s+)?(?:rest|peace|relief|freedom|home|an\s+escape)\b"
        ),
        negatable=False,
    ),
)
