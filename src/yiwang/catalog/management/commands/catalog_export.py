"""`yiwang catalog_export --format json|xlsx PATH`: the whole catalog, lossless."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from yiwang.catalog.transfer import catalog_document, document_json
from yiwang.catalog.transfer_xlsx import document_xlsx


class Command(BaseCommand):
    help = "Export the catalog (items, versions, implementations, materials) as JSON or an Excel workbook."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("path")

    def handle(self, *args: Any, path: str, format: str, **options: Any) -> None:
        document = catalog_document()
        data = document_json(document) if format == "json" else document_xlsx(document)
        Path(path).write_bytes(data)
        counts = "，".join(f"{key} {len(document[key])}" for key in document if isinstance(document[key], list))
        self.stdout.write(f"已导出到 {path}：{counts}")
