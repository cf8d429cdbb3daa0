"""The rule set's version: stored on every flag, printed by ``bench/risk_eval.py``.

Bump it whenever a rule, a filter or a word list changes, so a flag can always be traced to the rules
that raised it and evaluation figures to the rules they measured.
"""

RULESET_VERSION = "risk-rules-1.5"
