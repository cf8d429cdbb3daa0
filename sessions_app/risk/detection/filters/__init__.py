"""Filters that discard a rule's match: each answers "is this match not about the client's own risk
now?" for one reason, named in ``Assessment.suppressed``."""
