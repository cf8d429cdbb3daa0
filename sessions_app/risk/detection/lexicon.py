"""Regular-expression fragments the rule families share (folded, lower-case text).

Spelling in chat is loose: apostrophes are optional (``im``, ``dont``), "my self" is "myself", and the
usual evasions of moderation filters ("unalive", "kms", "sewer slide", "s*icide") are spelled out.
"""

from __future__ import annotations

import re

I = r"(?:i|i'm|im|i am|i've|ive|i have|i'd|id|i would|i'll|ill|i will)"  # noqa: E741 - the pronoun
MYSELF = r"(?:my\s?self|myslef|mself)"
NOT = r"(?:not|n't|nt|never|no)"
DONT = r"(?:don'?t|do not|dont)"
CANT = r"(?:can'?t|cannot|can not|cant)"
SUICIDE = r"(?:suicide|su[i1!*]c[i1!*]de|s\*+icide|sui\*+cide|sewer\s?slide|self[- ]?deletion)"
SUICIDAL = r"(?:suicidal|su[i1!*]c[i1!*]dal|s\*+icidal)"
KILL = r"(?:kill|k[i1!*]ll|k\*+ll|unalive|off|delete)"
KILLING = r"(?:killing|k[i1!*]lling|unaliving|offing|deleting)"
END_LIFE = (
    rf"(?:{KILL}\s+{MYSELF}|end(?:ing)?\s+my\s+(?:own\s+)?life|take\s+my\s+(?:own\s+)?life"
    r"|end(?:ing)?\s+it\s+all|end\s+my\s*self|kms\b|commit(?:ting)?\s+" + SUICIDE + ")"
)
FILLER = r"(?:\s+[a-z']+){0,3}?"  # up to three words between two parts of a phrase
ALIVE = r"(?:live|be alive|be here|exist|go on|keep going|keep living|wake up|be around)"

SUBSTANCE = (
    r"(?:pills?|tablets?|capsules?|meds|medications?|medicines?|prescriptions?|painkillers?|pain killers?"
    r"|sleeping pills?|sleeping tablets?|sleep aids?|paracetamol|acetaminophen|tylenol|panadol|ibuprofen"
    r"|advil|aspirin|codeine|tramadol|oxy(?:codone|contin)?|morphine|fentanyl|opioids?|insulin"
    r"|antidepressants?|sertraline|zoloft|prozac|fluoxetine|citalopram|lexapro|amitriptyline"
    r"|xanax|valium|diazepam|benzos?|lorazepam|ativan|klonopin|zopiclone|zolpidem|ambien|seroquel"
    r"|quetiapine|lithium|melatonin|benadryl|antihistamines?|heroin|bleach|antifreeze|rat poison|poison"
    r"|co-?codamol|naproxen|propranolol|mirtazapine|pregabalin|gabapentin|venlafaxine|diphenhydramine"
    r"|nytol|sleeping\s+meds|pain\s+meds|tabs)"
)
LETHAL = (
    r"(?:lethal|fatal|deadly|kill(?:s|ed)?|die|dying|dead|too many|too much|overdose|od|o\.d\."
    r"|not wake up|never wake up|stop (?:my|your|the|a) heart|be enough to|end it|end (?:my|your) life"
    r"|be the end|finish (?:me|you|someone) off|survive)"
)
MEANS_OBJECT = (
    r"(?:ropes?|a noose|nooses?|guns?|a gun|firearms?|pistols?|handguns?|rifles?|shotguns?|bullets?"
    r"|charcoal|helium|barbiturates?|nembutal|pentobarbital|cyanide|rat poison|poison|razor ?blades?"
    r"|razors?|blades?|exit bags?|a ligature)"
)
RECENT = (
    r"(?:last night|yesterday|today|this morning|this afternoon|this evening|tonight|earlier|just now"
    r"|this week|last week|the other day|a few days ago|(?:two|three|couple of|few) (?:days|nights) ago"
    r"|on the weekend|at the weekend|this weekend|over the weekend|recently|again|last month|an hour ago"
    r"|a few hours ago|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))"
)
SOON = (
    r"(?:tonight|tomorrow|today|this weekend|this week|next week|on (?:monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday)|soon|after (?:the|my|this|everyone|they|he|she)\b|when (?:everyone|they|he"
    r"|she|my \w+) (?:is|are|goes|go|leaves?|falls?)|before (?:the|my|christmas|new year|my birthday))"
)


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
