"""The risk detector: explainable, versioned rules over one client message and its preceding turns.

No Django, no I/O, no model: importable and testable on its own. ``engine.assess`` is the entry point
(re-exported as ``sessions_app.risk.assess``). Rule families live in ``rules/``, the filters that
discard a match (negation, another person, a film or the news, idioms, hypotheticals, the resolved
past) in ``filters/``, and short replies that only mean something after a question in ``replies``.
"""
