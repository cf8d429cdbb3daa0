"""Export speed: Markdown time, and PDF time as a ratio to a bare WeasyPrint render of the same HTML.

Run: ``.venv/bin/python bench/export_bench.py [--sizes 100 1000] [--repeat N] [--json]``

The records are built in memory (fixed clock and ids), so no Redis or database is needed. The PDF
figure that matters is the ratio: the full export (document, template, sandboxed render process)
against ``weasyprint.HTML(string=...).write_pdf()`` of the very same HTML in this process, measured
in the same run. Targets: Markdown <= 5 ms for 100 messages; PDF <= 1.2 x bare WeasyPrint.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifemotion.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

MARKDOWN_TARGET_SECONDS = 0.005  # for 100 messages
PDF_RATIO_TARGET = 1.2
# ~250 characters with some Markdown-significant punctuation, like real chat text.
CONTENT = (
    "I keep going back to what happened at dinner - my father said *again* that I never finish "
    "anything. I said nothing; I just felt my chest tighten (like before the exams). "
    "Is it normal to feel 10/10 angry & then guilty <right after>?"
)


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=5, help="PDF runs per size (Markdown runs 20x more)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    import django

    django.setup()
    from exports_app.document import build_document
    from exports_app.exporters import markdown_export, pdf_export
    from exports_app.pdf.export import SERVER, render_html
    from exports_app.pdf.protocol import RenderJob
    from exports_app.pdf.render import render
    from tests.exports_app.factories import make_context, make_record

    results: dict[str, dict[str, float]] = {}
    try:
        for size in args.sizes:
            record = make_record([f"{CONTENT} ({i})" for i in range(size)])
            context = make_context()
            markdown_export(record, context)  # warm caches (regexes, translation tables)
            md = median_seconds(partial(markdown_export, record, context), args.repeat * 20)
            html = render_html(build_document(record, context))
            render(RenderJob(html=html))  # warm fonts in this process
            pdf_export(record, context)  # start and warm the render server
            # Interleaved, so that both see the same machine load (CI boxes are shared).
            bare_runs, full_runs = [], []
            for _ in range(args.repeat):
                bare_runs.append(median_seconds(partial(render, RenderJob(html=html)), 1))
                full_runs.append(median_seconds(partial(pdf_export, record, context), 1))
            bare, full = statistics.median(bare_runs), statistics.median(full_runs)
            results[str(size)] = {
                "markdown_ms": md * 1000,
                "pdf_bare_weasyprint_ms": bare * 1000,
                "pdf_export_ms": full * 1000,
                "pdf_ratio": full / bare,
            }
    finally:
        SERVER.stop()

    ok = True
    if "100" in results:
        ok &= results["100"]["markdown_ms"] <= MARKDOWN_TARGET_SECONDS * 1000
    # (Markdown is the median of 20 x --repeat runs; PDF figures are medians of --repeat runs.)
    ok &= all(r["pdf_ratio"] <= PDF_RATIO_TARGET for r in results.values())
    if args.json:
        print(json.dumps({"results": results, "targets_met": ok}, indent=2))
    else:
        print(f"{'messages':>9} {'markdown ms':>12} {'bare PDF ms':>12} {'export PDF ms':>14} {'ratio':>6}")
        for size, r in results.items():
            print(
                f"{size:>9} {r['markdown_ms']:>12.2f} {r['pdf_bare_weasyprint_ms']:>12.1f} "
                f"{r['pdf_export_ms']:>14.1f} {r['pdf_ratio']:>6.2f}"
            )
        print(
            f"targets: Markdown <= {MARKDOWN_TARGET_SECONDS * 1000:.0f} ms for 100 messages, "
            f"PDF <= {PDF_RATIO_TARGET} x bare WeasyPrint: {'met' if ok else 'NOT met'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
