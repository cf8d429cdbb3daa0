"""Another person: "my cousin attempted last spring", "she said she wanted to die".

Applies to rules whose words could have another subject (``Rule.needs_self``). The subject is the last
person named before the match in its clause: a first-person pronoun keeps the match, a third person
or "my <relative>" discards it. A match inside quotation marks after "he said"/"she texted" is that
person's words, not the client's.
"""

from __future__ import annotations

import re

_RELATION = (
    r"(?:friend|friends|cousin|brother|sister|sibling|mum|mom|mother|dad|father|parent|parents|son|daughter"
    r"|kid|kids|child|children|partner|husband|wife|boyfriend|girlfriend|fianc[ée]e?|ex|colleague|coworker"
    r"|co-worker|classmate|roommate|flatmate|housemate|neighbou?r|uncle|aunt|auntie|nephew|niece|grandma"
    r"|grandpa|gran|nan|grandmother|grandfather|patient|client|student|teammate|boss|manager|teacher"
    r"|best\s+friend|bestie|mate|buddy|pal|sis|bro|stepdad|stepmum|stepmom|stepbrother|stepsister)"
)
_THIRD = re.compile(
    rf"\b(?:he|she|they|him|her|them|his|hers|their|someone|somebody|anyone|anybody|people|everyone|a\s+lot"
    rf"\s+of\s+people|many\s+people|nobody|no\s+one|the\s+(?:character|protagonist|guy|girl|man|woman|boy"
    rf"|caller|person|patient|client|kid|teen|lead|narrator|singer|author)|(?:my|our|your|a|the|his|her|their)"
    rf"\s+(?:\w+\s+)?{_RELATION}(?:'s)?|[a-z]+'s\s+{_RELATION}|he's|she's|they're|they've|he'd|she'd|they'd"
    rf"|who)\b"
)
_FIRST = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|id|i'll|me|myself|my\s+self)\b")
_CLAUSE = re.compile(r"[,;:]|\b(?:but|and|because|so|while|although|though|when|after|since)\b")
_REPORTING = re.compile(
    r"\b(?:said|says|say|told\s+me|tells\s+me|texted|messaged|wrote|writes|posted|posts|screamed|yelled"
    r"|shouted|whispered|keeps\s+saying|kept\s+saying|was\s+saying|goes|went|sang|sings|asked|admitted"
    r"|confessed|tweeted|commented|line|lyrics?|quote)\b"
)


_QUOTE_MARK = re.compile(r"\"|(?<![a-z0-9])'")


def inside_quotes(sentence: str, start: int) -> int | None:
    """The position of the opening quote if ``start`` lies inside a quoted passage, else None.

    A double quote, or a single quote not inside a word ("don't" is no quote), opens or closes.
    """
    marks = [m.start() for m in _QUOTE_MARK.finditer(sentence, 0, start)]
    return marks[-1] if len(marks) % 2 == 1 else None


def about_someone_else(sentence: str, start: int, end: int | None = None) -> bool:
    if end is not None and _FIRST.match(sentence, start) is not None:
        return False  # the match itself begins with "I"
    opening = inside_quotes(sentence, start)
    if opening is not None and _REPORTING.search(sentence[:opening]) and _THIRD.search(sentence[:opening]):
        return True
    prefix = sentence[:start]
    clauses = list(_CLAUSE.finditer(prefix))
    clause = prefix[clauses[-1].end() :] if clauses else prefix
    last_first = max((m.end() for m in _FIRST.finditer(clause)), default=-1)
    last_third = max((m.end() for m in _THIRD.finditer(clause)), default=-1)
    if last_third > last_first:
        return True
    if last_first == -1 and last_third == -1 and clauses:
        # "My brother, he wanted to die" / "my friend who wanted to die": look one clause back.
        earlier = prefix[: clauses[-1].start()]
        tail = earlier[-60:]
        return bool(_THIRD.search(tail)) and not _FIRST.search(tail)
    return False
