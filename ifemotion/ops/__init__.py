"""Operations: ``/healthz`` (public status, details for operators) and ``/metrics`` (Prometheus)."""
