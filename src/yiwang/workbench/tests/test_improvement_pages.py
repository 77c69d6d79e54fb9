"""服务改进 in the workbench: a catalog administrator opens one from an implementation's bad
reviews, answers it with the amendment that cites it, and the guide shows before / after."""

from typing import Any

from django.test import Client

from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.catalog.models import ImplementationVersion
from yiwang.catalog.search import search_document_refresh
from yiwang.core import clock
from yiwang.ratings import services
from yiwang.ratings.models import Improvement
from yiwang.ratings.tests.scene import concluded, person


def _bad_reviews(version: ImplementationVersion) -> list[int]:
    ids = []
    for grade, tags in ((1, ["guide", "materials"]), (2, ["guide"])):
        case = concluded(version=version)
        ids.append(
            services.rating_give(
                actor=person("zhangsan"), case_number=case.number, grade=grade, tags=tags, text="材料清单看不懂"
            ).pk
        )
    return ids


def test_an_improvement_from_bad_reviews_to_the_amendment_and_the_guide(login_as: Any) -> None:
    version = ImplementationVersionFactory(instant=True)
    cited = _bad_reviews(version)
    admin = login_as("jn_catalog")
    listing = admin.get("/workbench/improvements/").content.decode()
    assert version.item_version.name in listing and "提出改进" in listing
    new_url = f"/workbench/improvements/new/{version.implementation_id}/"
    page = admin.get(new_url).content.decode()
    assert '指南准确 <span class="num">2</span>' in page and "材料清单看不懂" in page and "张三" not in page

    refused = admin.post(new_url, {"title": "材料说明不清", "finding": "两条差评"})
    assert refused.status_code == 422 and "依据的差评：至少 1 条" in refused.content.decode()
    assert 'value="材料说明不清"' in refused.content.decode()  # what was typed is kept

    done = admin.post(new_url, {"title": "材料说明不清", "finding": "两条差评反映材料清单不清楚", "ratings": cited})
    improvement = Improvement.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/workbench/improvements/{improvement.pk}/"
    page = admin.get(done["Location"]).content.decode()
    assert f"尚无调整理由写明 {improvement.code} 的已发布版本" in page

    ImplementationVersion.objects.filter(pk=version.pk).update(status="superseded", valid_until=clock.now())
    amendment = ImplementationVersionFactory(
        instant=True,
        implementation=version.implementation,
        item_version=version.item_version,
        number=2,
        change_reason=f"答复 {improvement.code}：逐项说明申请材料",
    )
    assert admin.post(f"/workbench/improvements/{improvement.pk}/answer/", {"version": amendment.pk}).status_code == 302
    assert Improvement.objects.get().status == "answered"

    search_document_refresh(version.implementation)
    guide = Client().get(f"/guide/{version.item_version.item.basic_code}/").content.decode()
    assert "服务改进" in guide and f"{improvement.code} 材料说明不清" in guide
    assert "改进前（v1）" in guide and "改进后（v2）" in guide and "0.0%" in guide  # 好评率 before: 0 of 2


def test_only_catalog_admins_and_only_their_regions(login_as: Any) -> None:
    version = ImplementationVersionFactory(instant=True)
    _bad_reviews(version)
    assert login_as("jn_head").get("/workbench/improvements/").status_code == 403
    assert (
        login_as("jn_catalog").post(f"/workbench/improvements/new/{version.implementation_id}/", {}).status_code == 422
    )
    assert login_as("jn_catalog").get("/workbench/improvements/new/999999/").status_code == 404
