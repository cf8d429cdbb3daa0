"""Rule families, one module per concern; ``ALL_RULES`` is every rule the engine runs.

Each rule also gets a *gate*: stems without which its pattern cannot match. Testing the gate first
keeps an ordinary turn to a few cheap searches (the full patterns are the slow part).
"""

import re
from dataclasses import replace

from sessions_app.risk.detection.rules.harm import RULES as HARM
from sessions_app.risk.detection.rules.hopelessness import RULES as HOPELESSNESS
from sessions_app.risk.detection.rules.ideation import RULES as IDEATION
from sessions_app.risk.detection.rules.intent import RULES as INTENT
from sessions_app.risk.detection.rules.means import RULES as MEANS
from sessions_app.risk.detection.types import Rule

_SUICIDE = r"su[i1!*]c|s\*|sewer|deletion"
_END_LIFE = r"kill|k[1!*]ll|unalive|\boff|delete|end|take|kms|commit"
GATES = {
    "ideation.kill_self_bare": _END_LIFE,
    "ideation.suicidal": r"su[i1!*]c|s\*",
    "ideation.suicidal_start": r"su[i1!*]c|s\*",
    "ideation.thoughts_of": r"thought|think|dream|fantasi|obsess|consider|contemplat|research|googl|plann",
    "ideation.suicide_option": _SUICIDE,
    "ideation.considering": _SUICIDE,
    "ideation.commit": r"commit",
    "ideation.dont_want_live": r"live|alive|here|exist|go on|going|living|wake|around",
    "ideation.want_die": r"die|dead|exist|alive|here|disappear|vanish|gone|sleep",
    "ideation.wish_dead": r"wish",
    "ideation.never_born": r"never",
    "ideation.not_wake": r"wake",
    "ideation.better_dead": r"dead|death",
    "ideation.rather_die": r"rather|sooner",
    "ideation.no_reason": r"reason|nothing|worth|point",
    "ideation.tired_of_living": r"tired|sick|exhausted|weary|done",
    "ideation.welcome_death": r"hope|hoping|wish|pray|mind|welcome|forward|wait",
    "ideation.want_to_disappear": r"disappear|vanish|exist|fade",
    "ideation.cant_go_on": r"can'?t|cannot|can not",
    "intent.going_to": r"going|gonna|about|ready|plan|intend|decided|'ll|\bill|will|set on",
    "intent.when": _END_LIFE,
    "intent.soon_then": r"tonight|tomorrow|weekend",
    "intent.have_plan": r"plan|way|method|date|day|time|know",
    "intent.decided": r"mind|decision|decided|picked",
    "intent.note": r"note|letter|message|text|video",
    "intent.goodbye": r"goodbye|the end|last|read|won'?t|wont|will not|said my|thank you",
    "intent.giving_away": r"away",
    "hopelessness.burden": r"burden|drain|waste",
    "hopelessness.better_without_me": r"without me|if i|gone|died",
    "hopelessness.nobody_would_care": r"care|notice|miss|mind|cry|funeral",
    "hopelessness.hopeless": r"hopeless",
    "hopelessness.no_hope": r"hope|future|way out|light|point",
    "hopelessness.never_better": r"better|point",
    "means.lethal_dose": r"lethal|fatal|deadly|toxic|overdose|\bod\b|kill|die|dying|dead|too many|too much|wake"
    r"|heart|enough|end|survive",
    "means.can_die_from": r"die|overdose|\bod\b|wake|kill|fatal|lethal|whole|entire|full|\ball\b",
    "means.fall_height": r"high|tall|far|floors|storeys|stories|enough",
    "means.get_means": r"buy|get|find|obtain|order|source|make|tie|build",
    "means.how_to_method": r"how|painless|peaceful|quick|fast|eas|best|surest|reliable|least|simplest|cleanest"
    r"|does|which",
    "means.stockpile": r"sav|stock|hoard|collect|stor|stash|keep|not taking|hid|enough|supply",
    "means.have_means": r"rope|noose|gun|pistol|firearm|blade|ligature|helium|charcoal",
    "means.method_intent": r"look|check|research|googl|search|read|stood|standing|sat|sitting|was",
    "harm.attempt": r"tried|attempt|try",
    "harm.overdose_taken": r"took|taken|swallow|downed|had|necked|\bate\b|take|overdosed|\bod|o\.d",
    "harm.cut_recent": r"cut|burn|hurt|harm|scratch|carv|stab|punch|hit|bash|\bbit\b|strangl|chok",
    "harm.relapse": r"relapse|slipped|streak|again|clean",
    "harm.ongoing": r"cut|harm|hurt|burn|scratch|hit|punch|picking",
    "harm.urge": r"cut|harm|hurt|burn|punish|hit|bleed|blade",
    "harm.urges_back": r"urge|craving|thought",
    "ideation.wish_not_here": r"wish",
    "ideation.easier_dead": r"easier|better|relief|peaceful|kinder|simpler",
    "ideation.something_happen": r"hope|wish|pray",
    "ideation.dont_care_if_live": r"care",
    "ideation.not_come_back": r"come back|wake up|return",
    "ideation.feel_like_killing": r"feel",
    "means.how_many_to": r"how (?:many|much)",
    "means.jump_site": r"highest|tallest",
    "means.bleed_out": r"how long",
    "intent.gone_by": r"gone|dead|peace|not be",
    "intent.giving_things": r"away",
    "harm.self_harmed": r"self|sh'?d",
    "harm.until_bleed": r"bleed|bled",
    "hopelessness.taking_space": r"taking up|pointless|meaningless|worthless",
    "ideation.if_i_died": r"if i",
    "ideation.want_it_to_stop": r"stop|end|over",
    "ideation.killing_myself_is": r"killing|unaliving|ending|su[i1!*]c|dying",
    "means.dose_is_fatal": r"fatal|lethal|deadly|enough to",
    "means.buy_quantity": r"buy|get|order|stock|pick up|without",
    "means.saved_just_in_case": r"saved|stashed|hidden|hoarded|aside|stored|collected|kept",
    "hopelessness.never_change": r"change|improve",
    "ideation.sorry_still_here": r"woke|wake|survived|made it|still|if i",
    "ideation.option": r"su[i1!*]c|s\*|sewer|deletion",
    "means.looking_at_site": r"tracks|railway|bridge|ledge|edge|cliff|roof|top floor",
    "means.all_my_pills": r"all|lined|counted|laid",
    "intent.last_time": r"last time",
    "intent.worked_out_how": r"how",
    "harm.after_hurting": r"after|from|for",
    "harm.need_pain": r"pain|physical|sting",
    "hopelessness.give_up": r"give|gave|giving|given",
    "ideation.fantasise_death": r"fantasi|dream|obsess|romantici",
    "ideation.better_not_existing": r"not|never|if i|last",
    "means.substance_and_death": r"deadl|lethal|fatal|kill|enough|die|overdose",
    "means.stash_where": r"stash|supply|stockpile|pile|bag|box",
    "harm.took_overdose": r"overdose",
    "harm.on_purpose": r"purpose|deliberately|punish|to feel",
    "intent.left_notes": r"note|letter|message",
    "intent.ready_to_go": r"ready|goodbye",
    "ideation.rather_not_be": r"rather|prefer|would|death|dying",
    "means.jump_kill": r"jump|fall|pills|tablets|meds|drugs|medication",
    "hopelessness.no_point": r"no point",
}


def _gated(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    missing = [rule.id for rule in rules if rule.id not in GATES]
    if missing:
        raise RuntimeError(f"rules without a gate: {missing}")
    return tuple(replace(rule, gate=re.compile(GATES[rule.id])) for rule in rules)


ALL_RULES: tuple[Rule, ...] = _gated((*INTENT, *HARM, *MEANS, *IDEATION, *HOPELESSNESS))
