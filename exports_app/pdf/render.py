"""The PDF render server: WeasyPrint with a fetcher that refuses every URL, one process per render.

Run as ``python -m exports_app.pdf.render SOCKET_PATH`` by ``pdf_export`` (never by hand). It imports
WeasyPrint and warms its fonts once, then forks one child per request on a private Unix socket. The
child sets an address-space limit, a CPU limit and a wall-clock alarm, renders, answers, and exits: a
render that blows its budget dies alone, and the web worker only sees a closed connection.

This module must not import Django, and never logs message content (WeasyPrint's own warnings can
quote URLs from the document, so its loggers are silenced here).
"""

from __future__ import annotations

import logging
import math
import os
import resource
import selectors
import signal
import socket
import sys
from typing import Any

from weasyprint import DEFAULT_OPTIONS, HTML, Attachment
from weasyprint.urls import URLFetcher

from exports_app.pdf.protocol import FAILED, LENGTH, OK, TOO_LARGE, TOO_MANY_PAGES, RenderJob


class DenyAllURLFetcher(URLFetcher):  # type: ignore[misc]
    """Refuses every URL: http(s), file, data, ftp. Exports reference nothing outside the HTML.

    WeasyPrint turns the refusal into a warning and renders without the resource, so a hostile
    reference can neither reach the network nor embed a local file.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=set(), allow_redirects=False, timeout=1)

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError("exports fetch no external resources")


def render(job: RenderJob) -> bytes:
    """Render in this process. Used by the render child and by the benchmark's bare baseline."""
    fetcher = DenyAllURLFetcher()
    options: dict[str, Any] = {"custom_metadata": True}
    if job.archival:
        options["pdf_variant"] = "pdf/a-3b"
        options["attachments"] = [
            Attachment(string=content, name=name, description=description, url_fetcher=fetcher)
            for name, content, description in job.attachments
        ]
    # What HTML.write_pdf does, in two steps, so that the page count can be checked in between.
    merged = {**DEFAULT_OPTIONS, **options}
    document = HTML(string=job.html, url_fetcher=fetcher, base_url=None).render(**merged)
    if job.max_pages and len(document.pages) > job.max_pages:
        raise TooManyPages(len(document.pages))
    pdf: bytes = document.write_pdf(**{key: merged[key] for key in DEFAULT_OPTIONS})
    return pdf


class TooManyPages(Exception):
    """The document laid out longer than the job allows (a one-page summary that does not fit)."""


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = conn.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("request truncated")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _limit(job: RenderJob) -> None:
    if job.timeout_seconds > 0:
        seconds = math.ceil(job.timeout_seconds)
        signal.alarm(seconds)  # default action terminates: no Python code needs to run
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    if job.memory_mb > 0:
        limit = job.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def handle(conn: socket.socket) -> None:
    """One render, in the forked child."""
    conn.settimeout(30)
    try:
        (size,) = LENGTH.unpack(_read_exactly(conn, LENGTH.size))
        job = RenderJob.decode(_read_exactly(conn, size))
        conn.settimeout(None)
        _limit(job)
        pdf = render(job)
        answer = OK + LENGTH.pack(len(pdf)) + pdf  # the length lets the parent detect a cut answer
    except (MemoryError, RecursionError):
        answer = TOO_LARGE
    except TooManyPages as exc:
        answer = TOO_MANY_PAGES + str(exc.args[0]).encode()
    except Exception as exc:
        # The exception type only: its message may quote the document.
        answer = FAILED + type(exc).__name__.encode()
    conn.sendall(answer)
    conn.close()


def warm_up() -> None:
    render(RenderJob(html="<p style=\"font-family: 'DejaVu Sans'\">warm</p>"))


def serve(path: str) -> None:
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    warm_up()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(sys.stdin, selectors.EVENT_READ, "parent")
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for key, _ in selector.select():
            if key.data == "parent":
                if not os.read(sys.stdin.fileno(), 1024):
                    return  # the web worker that started us is gone
                continue
            conn, _ = listener.accept()
            pid = os.fork()
            if pid == 0:
                exit_code = 0
                try:
                    selector.close()
                    listener.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    handle(conn)
                except BaseException:
                    exit_code = 1
                finally:
                    os._exit(exit_code)
            conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
