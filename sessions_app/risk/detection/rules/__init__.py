"""Rule families, one module per concern; ``ALL_RULES`` is every rule the engine runs."""

from sessions_app.risk.detection.rules.harm import RULES as HARM
from sessions_app.risk.detection.rules.hopelessness import RULES as HOPELESSNESS
from sessions_app.risk.detection.rules.ideation import RULES as IDEATION
from sessions_app.risk.detection.rules.intent import RULES as INTENT
from sessions_app.risk.detection.rules.means import RULES as MEANS
from sessions_app.risk.detection.types import Rule

ALL_RULES: tuple[Rule, ...] = (*INTENT, *HARM, *MEANS, *IDEATION, *HOPELESSNESS)
