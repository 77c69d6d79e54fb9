"""The catalog document as an Excel workbook: one sheet per table, Chinese headers.

Cells hold what a person can read and edit: text, numbers, booleans; lists and documents
(materials' JSON fields, form, process) as JSON text; times as ISO 8601 text in UTC, so
nothing is lost to Excel's time-zone-less dates. Reading the workbook gives back the same
document as the JSON export.
"""

import io
import json
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from yiwang.catalog.transfer import FORMAT, FORMAT_VERSION, TABLES, Column, columns

_INFO_SHEET = "说明"


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _uncell(column: Column, value: Any) -> Any:
    if column.kind == "json":
        return json.loads(value) if value not in (None, "") else None
    if value is None and column.blank_text:
        return ""
    return value


def document_xlsx(document: dict[str, Any]) -> bytes:
    workbook = Workbook()
    info = workbook.active
    assert info is not None
    info.title = _INFO_SHEET
    info.append(["format", FORMAT])
    info.append(["format_version", FORMAT_VERSION])
    info.append(["说明", "每张表第一行为表头；列表和文档类要素为 JSON 文本；时间为 UTC 的 ISO 8601 文本。"])
    for table in TABLES:
        sheet = workbook.create_sheet(table.sheet)
        cols = columns(table)
        sheet.append([c.label for c in cols])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in document.get(table.key, []):
            sheet.append([_cell(c.kind, row.get(c.key)) for c in cols])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def document_from_xlsx(data: bytes) -> dict[str, Any]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    info = {row[0]: row[1] for row in workbook[_INFO_SHEET].iter_rows(values_only=True) if row and row[0]}
    if info.get("format") != FORMAT:
        raise ValueError(f"不是事项库导出工作簿（“{_INFO_SHEET}”表的 format 应为 {FORMAT}）")
    document: dict[str, Any] = {"format": FORMAT, "format_version": int(info.get("format_version") or 1)}
    for table in TABLES:
        if table.sheet not in workbook.sheetnames:
            raise ValueError(f"工作簿缺少“{table.sheet}”表")
        rows = workbook[table.sheet].iter_rows(values_only=True)
        header = list(next(rows, ()))
        by_label = {c.label: c for c in columns(table)}
        unknown = [h for h in header if h not in by_label]
        if unknown:
            raise ValueError(f"“{table.sheet}”表有不认识的列：{'、'.join(map(str, unknown))}")
        records = []
        for values in rows:
            if all(v is None for v in values):
                continue
            record = {c.key: _uncell(c, None) for c in columns(table)}
            for label, value in zip(header, values, strict=False):
                column = by_label[label]
                record[column.key] = _uncell(column, value)
            records.append(record)
        document[table.key] = records
    return document


def workbook_cells(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every cell value of every sheet (for comparing two workbooks cell by cell)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}
