"""The detector on its own (no Django): every rule family, every hard-negative kind, replies read in
context, spans and sentences, and bad input of every shape (it never raises on a ``str``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_app.risk import RULESET_VERSION, Assessment, Category, Severity, assess
from sessions_app.risk.detection.rules import ALL_RULES

FAMILIES = [
    ("I just want to die.", Category.PASSIVE_WISH),
    ("Some nights I pray I don't wake up in the morning.", Category.PASSIVE_WISH),
    ("I don't want to be alive anymore.", Category.PASSIVE_WISH),
    ("I want to kill myself.", Category.ACTIVE_IDEATION),
    ("I've been having suicidal thoughts every night.", Category.ACTIVE_IDEATION),
    ("been thinking about sewer slide again", Category.ACTIVE_IDEATION),
    ("How many sleeping pills would be too many?", Category.METHOD_MEANS),
    ("how much tylenol does it take to die", Category.METHOD_MEANS),
    ("How high does a bridge have to be so you don't survive the fall?", Category.METHOD_MEANS),
    ("Where can I buy a rope around here?", Category.METHOD_MEANS),
    ("I've been stockpiling my meds for a few weeks.", Category.METHOD_MEANS),
    ("I'm going to kill myself tonight.", Category.INTENT_PLAN),
    ("I've written my goodbye letters.", Category.INTENT_PLAN),
    ("I tried to kill myself last week.", Category.RECENT_ATTEMPT),
    ("I took a whole bottle of pills last night.", Category.RECENT_ATTEMPT),
    ("I cut myself again last night.", Category.RECENT_ATTEMPT),
    ("I have really strong urges to cut.", Category.SELF_INJURY),
    ("I've been self-harming most nights.", Category.SELF_INJURY),
    ("I'm such a burden to my family.", Category.HOPELESSNESS),
    ("Everyone would be better off without me.", Category.HOPELESSNESS),
    ("I feel completely hopeless.", Category.HOPELESSNESS),
]


@pytest.mark.parametrize(("text", "category"), FAMILIES)
def test_each_rule_family_flags_its_category(text: str, category: Category) -> None:
    result = assess(text)
    assert result.flagged, text
    assert result.category is category
    assert result.rule
    assert result.rule.split(".")[0] in {
        "ideation",
        "means",
        "intent",
        "harm",
        "hopelessness",
    }
    assert result.rules_version == RULESET_VERSION


def test_severity_follows_the_ladder() -> None:
    assert assess("I'm going to kill myself tonight.").severity is Severity.HIGH
    assert assess("I just want to die.").severity is Severity.MEDIUM
    assert assess("I feel like a burden on everyone around me.").severity is Severity.LOW


HARD_NEGATIVES = [
    ("negation", "No, I would never take my own life."),
    ("negation", "I'm not suicidal, I'm just exhausted."),
    ("negation", "I don't want to die, I want things to change."),
    ("other_person", "My cousin attempted last spring and I still think about it."),
    ("other_person", "His overdose was the worst day of my life."),
    ("other_person", "She said she wanted to die and then laughed it off."),
    ("context", "I volunteer on a crisis line and last night's shift was heavy."),
    ("context", "We watched a film where the main character kills himself."),
    ("context", "The news said suicide rates among young men are rising."),
    ("context", "The song goes 'I want to end it all' and it's stuck in my head."),
    ("idiom", "This commute is murder."),
    ("idiom", "I'm dying to see the show next week."),
    ("idiom", "I'm killing myself trying to get this project done on time."),
    ("idiom", "I need to cut myself some slack this week."),
    ("hypothetical", "If I ever felt suicidal, I would call you straight away."),
    ("hypothetical", "Hypothetically, what would you say if someone told you they wanted to die?"),
    ("past_resolved", "When I was 15 I tried to kill myself, but I'm in a much better place now."),
    ("past_resolved", "I used to cut when I was a teenager, but I haven't done it in ten years."),
    ("benign_means", "How many ibuprofen can I safely take for a headache?"),
    ("benign_means", "Where can I buy a rope for my tent?"),
    ("benign_means", "I cut myself shaving this morning, it won't stop bleeding."),
]


@pytest.mark.parametrize(("kind", "text"), HARD_NEGATIVES)
def test_hard_negatives_are_not_flagged(kind: str, text: str) -> None:
    assert not assess(text).flagged, f"{kind}: {text}"


def test_the_filter_that_discarded_a_match_is_named() -> None:
    assert assess("I would never kill myself.").suppressed == "negation"
    assert assess("She said she wanted to die.").suppressed == "other_person"
    assert assess("If I ever felt suicidal I would call you.").suppressed == "hypothetical"


def test_a_hedge_is_not_a_negation() -> None:
    assert assess("I don't think I want to live anymore.").flagged
    assert assess("I'm not sure I want to be alive.").flagged


def test_a_distant_past_without_resolution_stays_at_low_severity() -> None:
    result = assess("Years ago I tried to kill myself.")
    assert result.flagged
    assert result.severity is Severity.LOW


@pytest.mark.parametrize(
    ("context", "reply", "category"),
    [
        (
            ["You mentioned ending your life.", "When are you planning to do it?"],
            "Friday, after work",
            Category.INTENT_PLAN,
        ),
        (
            ["You said you'd been saving pills.", "Do you still have the tablets?"],
            "yes, I kept them",
            Category.METHOD_MEANS,
        ),
        (["I want to kill myself.", "Are you safe right now?"], "no", Category.INTENT_PLAN),
        (["Are you having thoughts of suicide?"], "every day", Category.ACTIVE_IDEATION),
        (["Have you hurt yourself since we last spoke?"], "last night", Category.RECENT_ATTEMPT),
        (["I relapsed.", "Relapsed with what?"], "self harm", Category.SELF_INJURY),
    ],
)
def test_short_replies_are_read_against_the_question(
    context: list[str], reply: str, category: Category
) -> None:
    result = assess(reply, context=context)
    assert result.flagged
    assert result.category is category
    assert result.rule
    assert result.rule.startswith("reply.")
    assert not assess(reply).flagged  # alone, the same words mean nothing


@pytest.mark.parametrize(
    ("context", "reply"),
    [
        (["When is your next appointment?"], "Friday, after work"),
        (["Do you still have the receipts for the sofa?"], "yes, I kept them"),
        (
            ["The storm knocked a tree onto our roof.", "Oh no, are you safe right now?"],
            "no, the roof is gone",
        ),
        (["Are you having thoughts of suicide?"], "no"),
        (["Do you get urges to check your phone at night?"], "sometimes"),
    ],
)
def test_the_same_replies_to_ordinary_questions_are_not_flagged(context: list[str], reply: str) -> None:
    assert not assess(reply, context=context).flagged


def test_span_and_sentence_come_from_the_original_text() -> None:
    text = "Work was fine.\nBut honestly I WANT TO KILL MYSELF, every day.  Then dinner."
    result = assess(text)
    assert result.span is not None
    assert text[result.span[0] : result.span[1]].lower() == "kill myself"
    assert result.sentence == "But honestly I WANT TO KILL MYSELF, every day."


def test_span_maps_through_non_ascii_folding() -> None:
    text = "\uff29 \uff57\uff41\uff4e\uff54 😔 to kill myself — honestly."
    result = assess(text)
    assert result.flagged
    assert result.span is not None
    assert text[result.span[0] : result.span[1]] == "kill myself"


def test_a_flag_keeps_at_most_the_sentence_cut_to_a_limit() -> None:
    filler = "and then we talked about the garden " * 40
    result = assess(f"It was a long day {filler} and I want to kill myself {filler}")
    assert result.flagged
    assert len(result.sentence) <= 400
    assert "kill myself" in result.sentence


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00",
        "\x00\x01\x02\x1b[31m",
        "😀" * 500,
        "🔪💊🪢",
        "自殺したい",
        "Хочу умереть",
        "أريد أن أموت",
        "a" * 200_000,
        "\ud800\udfff broken",
        "I want to\u202e kill myself",
        "\n" * 1000,
        "kill myself " * 5000,
    ],
)
def test_bad_input_is_assessed_without_error(text: str) -> None:
    result = assess(text)
    assert isinstance(result, Assessment)
    assert result.flagged in (True, False)


def test_non_string_input_and_context_are_not_flagged_and_do_not_raise() -> None:
    assert assess(None).flagged is False  # type: ignore[arg-type]
    assert assess(b"kill myself").flagged is False  # type: ignore[arg-type]
    assert assess("yes", context=[None, 5, "Are you safe?"]).flagged is False  # type: ignore[list-item]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.lists(st.text(max_size=80), max_size=4))
def test_never_raises_on_any_text(text: str, context: list[str]) -> None:
    result = assess(text, context=context)
    if result.flagged:
        assert result.span is not None
        assert 0 <= result.span[0] <= result.span[1] <= len(text)


def test_every_rule_has_a_unique_id_and_a_gate() -> None:
    ids = [rule.id for rule in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert all(rule.gate is not None for rule in ALL_RULES)


def test_the_detector_imports_without_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from sessions_app.risk import assess; assert assess('I want to kill myself').flagged; "
        "assert 'django.db' not in sys.modules, 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": "/usr/bin:/bin"})
