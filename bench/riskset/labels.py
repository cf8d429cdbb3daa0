"""Short names of the categories, hard-negative kinds and speakers the sets are written with."""

P, A, M, I, R, S, H = (
    "passive_wish", "active_ideation", "method_means", "intent_plan", "recent_attempt", "self_injury",
    "hopelessness",
)  # fmt: skip
NEG, OTHER, CTX, IDIOM, HYPO, PAST, MEANS = (
    "negation", "other_person", "context", "idiom", "hypothetical", "past_resolved", "benign_means",
)  # fmt: skip
U, B = "user", "assistant"
