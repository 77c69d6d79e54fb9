"""Import/export: a round trip through an empty catalog gives the same JSON bytes and the same cells."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from yiwang.catalog.models import (
    CatalogEvent,
    Implementation,
    ImplementationVersion,
    ItemVersion,
    Material,
    SearchDocument,
    ServiceItem,
)
from yiwang.catalog.search import GuideFilters, guide_queryset
from yiwang.catalog.transfer import catalog_document
from yiwang.catalog.transfer_xlsx import workbook_cells


def _empty_the_catalog() -> None:
    SearchDocument.objects.all().delete()
    Material.objects.all().delete()
    ImplementationVersion.objects.all().delete()
    Implementation.objects.all().delete()
    ItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()


@pytest.mark.usefixtures("world")
def test_json_round_trip_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("catalog_export", "--format", "json", str(first))
    document = catalog_document()
    assert len(document["item_versions"]) == 7 and len(document["implementation_versions"]) == 8
    assert {m["name"] for m in document["materials"]} >= {"营业执照", "公司章程"}
    _empty_the_catalog()
    call_command("catalog_import", str(first))
    call_command("catalog_export", "--format", "json", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert [d.name for d in guide_queryset(GuideFilters(q="食品"))][:1] == ["食品经营许可"]  # the guide is rebuilt
    assert CatalogEvent.objects.filter(verb="catalog_imported").exists()


@pytest.mark.usefixtures("world")
def test_xlsx_round_trip_is_equal_cell_by_cell(tmp_path: Path) -> None:
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    call_command("catalog_export", "--format", "xlsx", str(first))
    cells = workbook_cells(first.read_bytes())
    assert list(cells) == ["说明", "事项", "事项版本", "实施清单", "实施清单版本", "申请材料"]
    assert "事项名称" in cells["事项版本"][0] and len(cells["事项版本"]) == 8  # header + 7 items
    _empty_the_catalog()
    call_command("catalog_import", str(first))
    call_command("catalog_export", "--format", "xlsx", str(second))
    assert workbook_cells(second.read_bytes()) == cells


@pytest.mark.usefixtures("world")
def test_import_refuses_a_catalog_that_is_not_empty(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    call_command("catalog_export", str(path))
    with pytest.raises(CommandError, match="事项库不为空"):
        call_command("catalog_import", str(path))


@pytest.mark.usefixtures("world")
def test_import_names_what_is_missing_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    call_command("catalog_export", str(path))
    path.write_text(path.read_text(encoding="utf-8").replace('"jn_catalog"', '"nobody"'), encoding="utf-8")
    _empty_the_catalog()
    with pytest.raises(CommandError, match="起草人/审核人账号不存在：nobody"):
        call_command("catalog_import", str(path))
    assert not ServiceItem.objects.exists()
