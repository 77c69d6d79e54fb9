"""A table for the benchmarks' baseline endpoint (installed only by `benchapp.settings`)."""

from django.db import models


class BenchRow(models.Model):
    kind = models.CharField(max_length=20)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.kind
