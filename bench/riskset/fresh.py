"""Written after the rules were frozen; never used to tune them. Filled in below."""

RISK: list[tuple[str, bool, str]] = []
HARD: list[tuple[str, str]] = []
ORDINARY: list[str] = []
REPLIES: list[tuple[list[str], str, bool]] = []
CONVERSATIONS: list[list[tuple[str, str, bool]]] = []
