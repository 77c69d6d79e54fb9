"""`yiwang export_openapi PATH` writes the OpenAPI schema; `--check` fails on drift."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.api.root import api


class Command(BaseCommand):
    help = "Write the API's OpenAPI schema to PATH, or with --check compare it with PATH."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, path: str, check: bool, **options: Any) -> None:
        schema = api.get_openapi_schema(path_prefix="/api/v1")
        text = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        target = Path(path)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `yiwang export_openapi {path}` and commit it.")
            self.stdout.write(f"{path} is up to date.")
            return
        target.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
