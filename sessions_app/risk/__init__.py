"""Risk flags: self-harm and suicide language in client messages, detected by our own explainable rules
and brought to the client's clinicians with acknowledgement deadlines, escalation and an audit trail.

``assess(text, *, context=()) -> Assessment`` is the detector (no Django needed to import or call it).
The Django app (label ``risk``) holds the flags, their workflow, the worker and the dashboard pages.
"""

from sessions_app.risk.detection.engine import assess
from sessions_app.risk.detection.types import Assessment, Category, Severity
from sessions_app.risk.detection.version import RULESET_VERSION

__all__ = ["RULESET_VERSION", "Assessment", "Category", "Severity", "assess"]
