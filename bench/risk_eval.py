"""The risk detector on our development set: recall, precision, false flags by kind, per conversation.

Run: ``.venv/bin/python bench/risk_eval.py [--set dev|fresh|all] [--errors]``

- recall on clear-cut risk turns and on all risk turns (borderline included), per category;
- precision over every labelled single turn (risk, hard negatives, ordinary turns, replies in context);
- false flags on hard negatives by kind, and on ordinary turns;
- short replies read against the question before them;
- per conversation: the share of conversations containing risk with at least one flag, and of
  conversations without risk with any flag;
- the rule-set version the figures belong to, and the detector's speed.

``dev`` is the set the rules were developed on. Each ``freshN`` was written after a rule set was
frozen: ``fresh`` after 1.0 ... ``fresh4`` after 1.3 (the misses of each shaped the next version),
``fresh5`` after 1.4 and never used to tune: it is the closest to unseen client turns.
``--errors`` lists the misses and false flags (our own synthetic text).
Goals (issue 12): recall >= 0.8 clear-cut, >= 0.65 all; >= 90 % of risky conversations flagged; false
flags <= 10 % of hard negatives and <= 1 % of ordinary turns.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for folder in (BENCH.parent, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from riskset import (  # noqa: E402
    conversations,
    fresh,
    fresh2,
    fresh3,
    fresh4,
    fresh5,
    hard_negatives,
    ordinary,
    risk_turns,
)

from sessions_app.risk import RULESET_VERSION, assess  # noqa: E402

Turn = tuple[str, bool, str]  # (label, risky, text)


def load(which: str) -> dict[str, list]:  # type: ignore[type-arg]
    sets: dict[str, dict[str, list]] = {  # type: ignore[type-arg]
        "dev": {
            "risk": risk_turns.RISK, "hard": hard_negatives.HARD, "ordinary": ordinary.ORDINARY,
            "replies": conversations.REPLIES, "conversations": conversations.CONVERSATIONS,
        },
        "fresh": {
            "risk": fresh.RISK, "hard": fresh.HARD, "ordinary": fresh.ORDINARY,
            "replies": fresh.REPLIES, "conversations": fresh.CONVERSATIONS,
        },
        "fresh2": {
            "risk": fresh2.RISK, "hard": fresh2.HARD, "ordinary": fresh2.ORDINARY,
            "replies": fresh2.REPLIES, "conversations": fresh2.CONVERSATIONS,
        },
        "fresh3": {
            "risk": fresh3.RISK, "hard": fresh3.HARD, "ordinary": fresh3.ORDINARY,
            "replies": fresh3.REPLIES, "conversations": fresh3.CONVERSATIONS,
        },
        "fresh4": {
            "risk": fresh4.RISK, "hard": fresh4.HARD, "ordinary": fresh4.ORDINARY,
            "replies": fresh4.REPLIES, "conversations": fresh4.CONVERSATIONS,
        },
        "fresh5": {
            "risk": fresh5.RISK, "hard": fresh5.HARD, "ordinary": fresh5.ORDINARY,
            "replies": fresh5.REPLIES, "conversations": fresh5.CONVERSATIONS,
        },
    }  # fmt: skip
    if which != "all":
        return sets[which]
    return {
        key: sum(
            (sets[name][key] for name in ("fresh", "fresh2", "fresh3", "fresh4", "fresh5")), sets["dev"][key]
        )
        for key in sets["dev"]
    }


def pct(part: int, whole: int) -> str:
    return f"{part / whole:6.1%} ({part}/{whole})" if whole else "   n/a"


def evaluate(data: dict[str, list], show_errors: bool) -> dict[str, float]:  # type: ignore[type-arg]
    errors: list[str] = []
    tp = fp = 0
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    clear = [0, 0]
    everything = [0, 0]
    for category, clear_cut, text in data["risk"]:
        hit = assess(text).flagged
        by_category[category][0] += hit
        by_category[category][1] += 1
        everything[0] += hit
        everything[1] += 1
        if clear_cut:
            clear[0] += hit
            clear[1] += 1
        tp += hit
        if not hit:
            errors.append(f"MISS   [{category}{'' if clear_cut else ', borderline'}] {text}")
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, text in data["hard"]:
        result = assess(text)
        by_kind[kind][0] += result.flagged
        by_kind[kind][1] += 1
        fp += result.flagged
        if result.flagged:
            errors.append(f"FALSE  [{kind}] {text}  <- {result.rule}")
    ordinary_flags = 0
    for text in data["ordinary"]:
        result = assess(text)
        ordinary_flags += result.flagged
        fp += result.flagged
        if result.flagged:
            errors.append(f"FALSE  [ordinary] {text}  <- {result.rule}")
    reply_right = [0, 0]
    for context, reply, risky in data["replies"]:
        result = assess(reply, context=context)
        reply_right[0] += result.flagged == risky
        reply_right[1] += 1
        tp += result.flagged and risky
        fp += result.flagged and not risky
        if result.flagged != risky:
            errors.append(f"REPLY  [{'miss' if risky else 'false'}] {context[-1]} -> {reply}")
    convo_hit = [0, 0]
    convo_false = [0, 0]
    for conversation in data["conversations"]:
        texts: list[str] = []
        flagged_any = False
        risky_any = any(risky for role, _, risky in conversation if role == "user")
        for role, text, _risky in conversation:
            if role == "user" and assess(text, context=texts).flagged:
                flagged_any = True
            texts.append(text)
        if risky_any:
            convo_hit[0] += flagged_any
            convo_hit[1] += 1
            if not flagged_any:
                errors.append(f"CONVO  [missed] {conversation[0][1]}")
        else:
            convo_false[0] += flagged_any
            convo_false[1] += 1
            if flagged_any:
                errors.append(f"CONVO  [false] {conversation[0][1]}")
    hard_flags = sum(v[0] for v in by_kind.values())
    hard_total = sum(v[1] for v in by_kind.values())

    print(f"rule set: {RULESET_VERSION}")
    print(f"{'recall, clear-cut risk turns':44} {pct(*clear)}   goal >= 80 %")
    print(f"{'recall, all risk turns (with borderline)':44} {pct(*everything)}   goal >= 65 %")
    for category in sorted(by_category):
        print(f"  {category:42} {pct(*by_category[category])}")
    print(f"{'precision (all labelled single turns)':44} {pct(tp, tp + fp)}")
    print(f"{'false flags, hard negatives':44} {pct(hard_flags, hard_total)}   goal <= 10 %")
    for kind in sorted(by_kind):
        print(f"  {kind:42} {pct(*by_kind[kind])}")
    print(f"{'false flags, ordinary turns':44} {pct(ordinary_flags, len(data['ordinary']))}   goal <= 1 %")
    print(f"{'short replies read in context, correct':44} {pct(*reply_right)}")
    print(f"{'conversations with risk: at least one flag':44} {pct(*convo_hit)}   goal >= 90 %")
    print(f"{'conversations without risk: any flag':44} {pct(*convo_false)}")
    if show_errors:
        print("\n".join(["", *errors]))
    return {
        "recall_clear": clear[0] / max(clear[1], 1),
        "recall_all": everything[0] / max(everything[1], 1),
        "hard_false": hard_flags / max(hard_total, 1),
        "ordinary_false": ordinary_flags / max(len(data["ordinary"]), 1),
        "conversations": convo_hit[0] / max(convo_hit[1], 1),
    }


def speed(data: dict[str, list]) -> None:  # type: ignore[type-arg]
    texts = [t for _, _, t in data["risk"]] + [t for _, t in data["hard"]] + list(data["ordinary"])
    started = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for text in texts:
            assess(text)
    per = (time.perf_counter() - started) / (rounds * len(texts))
    long_text = " ".join(texts)[:20_000]
    started = time.perf_counter()
    assess(long_text)
    print(f"{'speed':44} {per * 1e6:.0f} µs per turn; {(time.perf_counter() - started) * 1e3:.1f} ms "
          "for a 20,000-character message")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", choices=["dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "all"], default=None
    )
    parser.add_argument("--errors", action="store_true", help="list misses and false flags")
    args = parser.parse_args()
    for which in [args.set] if args.set else ["dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5"]:
        data = load(which)
        counts = Counter({k: len(v) for k, v in data.items()})
        print(f"\n== {which} set: {counts['risk']} risk turns, {counts['hard']} hard negatives, "
              f"{counts['ordinary']} ordinary turns, {counts['replies']} replies, "
              f"{counts['conversations']} conversations")  # fmt: skip
        evaluate(data, args.errors)
        speed(data)


if __name__ == "__main__":
    main()
