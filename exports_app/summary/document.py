"""The client summary as data: the client page's numbers (the very strings the page shows) plus who
asked and when. The PDF prints it; its JSON form is attached inside the PDF/A file for machines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from exports_app.canonical import sha256_hex
from sessions_app.dashboard.client_page import ClientPage
from sessions_app.emotions import INFERRED_NOTE

FORMAT = "ifemotion-client-summary"
FORMAT_VERSION = 1


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SummaryDocument:
    page: ClientPage
    requested_by: str
    generated_at: datetime
    export_id: str

    @property
    def generated(self) -> str:
        return utc(self.generated_at)

    @property
    def citation(self) -> str:
        return f"if://export/client/{self.page.client_id}/{self.export_id}"

    def data(self) -> dict[str, Any]:
        page = self.page
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "export_id": self.export_id,
            "generated_at": self.generated,
            "requested_by": self.requested_by,
            "client_id": page.client_id,
            "period": {
                "label": page.period.label(),
                "utc": page.period.utc_label(),
                "query": page.period.query(),
            },
            "note": f"Every emotion number is {INFERRED_NOTE}.",
            "live_unavailable": page.live_unavailable,
            "totals": {
                "sessions": len(page.rows),
                "messages": page.messages,
                "client_turns": page.client_turns,
                "milestones": page.milestones,
                "breakthroughs": page.breakthroughs,
                "mean_negative_affect": page.mean_of_means,
                "sessions_with_emotion": page.sessions_with_emotion,
            },
            "sessions": [
                {
                    "number": row.number,
                    "session_id": row.session_id,
                    "started_at": utc(row.started_at),
                    "status": row.status,
                    "source": row.source,
                    "minutes": row.minutes,
                    "messages": row.messages,
                    "client_turns": row.client_turns,
                    "negative_affect": {
                        "start": row.start,
                        "end": row.end,
                        "mean": row.mean,
                        "first_third": row.first_third,
                        "last_third": row.last_third,
                        "shift": row.shift,
                    },
                    "dominant": [
                        {"label": d.label, "valence": d.valence, "share": d.share} for d in row.dominant
                    ],
                    "milestones": row.milestones,
                    "breakthroughs": row.breakthroughs,
                    "extra": dict(zip(page.extra_headers, row.extra, strict=True)),
                }
                for row in page.rows
            ],
        }

    def json_bytes(self) -> bytes:
        return json.dumps(self.data(), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")

    def json_sha256(self) -> str:
        return sha256_hex(self.json_bytes())
