"""The benchmarks' own Django app: a baseline table and endpoints the platform never ships.

Installed only by its settings module, `benchapp.settings` (the platform's settings plus this
app and `benchapp.urls`), which bench/harness.py selects with `bench/` on PYTHONPATH.
"""
