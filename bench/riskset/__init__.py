"""The risk detector's development set: client turns we wrote ourselves (no dataset was copied).

- ``risk_turns.RISK``: (category, clear_cut, text): every category, clear-cut and borderline;
- ``hard_negatives.HARD``: (kind, text): negation, other person, context, idiom, hypothetical, past and
  resolved, benign means questions (same words, no risk);
- ``ordinary.ORDINARY``: everyday turns of an emotional-support chat, sad and angry ones included;
- ``conversations``: multi-turn conversations (client and assistant), some with risk, some without,
  and short replies that mean something only after a question (``REPLIES``);
- ``fresh``: a second, smaller set written after the rules were frozen, never used to tune them.
"""
