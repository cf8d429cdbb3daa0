"""gunicorn settings for IF.emotion Clinician (``gunicorn -c deploy/gunicorn.conf.py ifemotion.wsgi``)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# A Redis outage answers in ~2 s; PDF rendering has its own limit. Anything slower is a bug.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Never log request bodies or query strings: URLs carry client and session ids, bodies carry PHI.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(D)sus'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# /metrics sums the request histograms of every worker (prometheus_client's multiprocess mode): each
# worker writes its samples under PROMETHEUS_MULTIPROC_DIR, emptied when gunicorn starts.
metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(os.environ.get("IFEMOTION_VAR_DIR", "var"), "prometheus")
)


def on_starting(server: object) -> None:
    import shutil

    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, mode=0o700, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined,no-untyped-call]
