"""The wire format between a web worker and the PDF render server (no Django, no WeasyPrint)."""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass, field

# First byte of every answer. TOO_MANY_PAGES: the document laid out longer than ``max_pages``.
OK, TOO_LARGE, FAILED, TOO_MANY_PAGES = b"0", b"1", b"2", b"3"
LENGTH = struct.Struct(">I")


@dataclass(frozen=True)
class RenderJob:
    html: str
    archival: bool = False
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    memory_mb: int = 0
    timeout_seconds: float = 0.0
    max_pages: int = 0  # 0: any length

    def encode(self) -> bytes:
        body = json.dumps(
            {
                "html": self.html,
                "archival": self.archival,
                "attachments": [[n, base64.b64encode(c).decode(), d] for n, c, d in self.attachments],
                "memory_mb": self.memory_mb,
                "timeout_seconds": self.timeout_seconds,
                "max_pages": self.max_pages,
            }
        ).encode("utf-8")
        return LENGTH.pack(len(body)) + body

    @classmethod
    def decode(cls, body: bytes) -> RenderJob:
        data = json.loads(body)
        return cls(
            html=data["html"],
            archival=bool(data["archival"]),
            attachments=[(n, base64.b64decode(c), d) for n, c, d in data["attachments"]],
            memory_mb=int(data["memory_mb"]),
            timeout_seconds=float(data["timeout_seconds"]),
            max_pages=int(data.get("max_pages", 0)),
        )
