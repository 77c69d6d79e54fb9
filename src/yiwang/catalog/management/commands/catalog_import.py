"""`yiwang catalog_import PATH`: load a JSON or xlsx export into an empty catalog."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.catalog.services.transfer import catalog_import
from yiwang.catalog.transfer import document_from_json
from yiwang.catalog.transfer_xlsx import document_from_xlsx
from yiwang.core.errors import DomainError


class Command(BaseCommand):
    help = "Import a catalog export (.json or .xlsx) into an empty catalog, in one transaction."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        data = Path(path).read_bytes()
        try:
            document = document_from_xlsx(data) if path.lower().endswith(".xlsx") else document_from_json(data)
            counts = catalog_import(actor=None, document=document)
        except (ValueError, DomainError) as exc:
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            details = getattr(exc, "errors", {})
            raise CommandError("；".join([message, *(m for msgs in details.values() for m in msgs)])) from exc
        self.stdout.write(f"已导入：{counts}")
