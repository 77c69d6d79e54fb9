"""A table for the benchmarks' baseline endpoint (installed only with YIWANG_BENCH=1)."""

from django.db import models


class BenchRow(models.Model):
    kind = models.CharField(max_length=20)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    # Declared so type checkers see it even when the app is not installed (no YIWANG_BENCH).
    objects: "models.Manager[BenchRow]" = models.Manager()

    def __str__(self) -> str:
        return self.kind
