"""The pages around a panel, as each person sees them."""

import json
from collections.abc import Callable

from django.test import Client

from yiwang.cases.models import CaseMaterial
from yiwang.cases.tests.factories import user
from yiwang.ledger import draw
from yiwang.ledger.integrator import ledger_integrate
from yiwang.reviews import services
from yiwang.reviews.models import Invitation, Panel
from yiwang.reviews.tests import scene
from yiwang.reviews.workflow import PanelStatus


def test_reviewer_requests_on_the_case_page_and_the_draw_shows_once_seeded(login_as: Callable[[str], Client]) -> None:
    scene.pool(5)
    case = scene.in_review()
    rev = login_as("jn_planning_rev")
    page = rev.get(f"/workbench/reviews/request/{case.number}/")
    assert page.status_code == 200 and "专家可查阅的材料" in page.content.decode()
    material = CaseMaterial.objects.filter(case=case).first()
    assert material is not None
    refused = rev.post(
        f"/workbench/reviews/request/{case.number}/",
        {"size": "12", "specialties": scene.SPECIALTY, "conclusion_rule": "majority", "summary": "", "reason": "x"},
    )
    assert refused.status_code == 422 and "专家人数：请填写 1 到 9 人" in refused.content.decode()
    done = rev.post(
        f"/workbench/reviews/request/{case.number}/",
        {
            "size": "2",
            "specialties": scene.SPECIALTY,
            "conclusion_rule": "majority",
            "materials": [str(material.pk)],
            "summary": "设计方案与控规符合性",
            "reason": "需专家评审",
        },
    )
    panel = Panel.objects.get(case=case)
    assert done.status_code == 302 and done["Location"].endswith(f"/workbench/reviews/panels/{panel.ref}/")
    waiting = rev.get(done["Location"]).content.decode()
    assert "等待随机种子" in waiting and 'hx-trigger="every 2s"' in waiting
    ledger_integrate()
    drawn = rev.get(done["Location"]).content.decode()  # the page load draws
    panel.refresh_from_db()
    assert panel.status == PanelStatus.REVIEWING and panel.seed in drawn
    # The public record: no names, downloadable, reproducible.
    public = Client().get(f"/reviews/draws/{panel.ref}.json")
    record = json.loads(public.content)
    assert "revealed" not in record and "ZJ-" not in public.content.decode()
    assert draw.check_record(record, tree_size=panel.seed_tree_size or 0, root_hash=bytes.fromhex(panel.seed_root))
    assert Client().get(f"/reviews/draws/{panel.ref}/checkpoint.txt").status_code == 200
    # The applicant: a review under way and its expected end, never who.
    mine = login_as("zhangsan").get(f"/me/cases/{case.number}/").content.decode()
    assert "专家评审进行中" in mine and panel.review_deadline.isoformat() in mine
    seat = Invitation.objects.filter(panel=panel).select_related("expert").first()
    assert seat is not None and seat.expert.name not in mine
    assert login_as("zhangsan").get(f"/workbench/reviews/panels/{panel.ref}/").status_code in (403, 404)


def test_expert_accepts_reads_only_the_chosen_material_and_signs(login_as: Callable[[str], Client]) -> None:
    scene.pool(3)
    case = scene.in_review()
    panel = scene.drawn(scene.request(case, size=1))
    seat = Invitation.objects.select_related("expert__user").get(panel=panel, position=1)
    expert = login_as(seat.expert.user.username)  # type: ignore[union-attr]
    home = expert.get("/workbench/reviews/").content.decode()
    assert panel.ref in home
    url = f"/workbench/reviews/invitations/{seat.pk}/"
    assert "案情摘要与评审材料" not in expert.get(url).content.decode()
    chosen = panel.materials.get()
    other = CaseMaterial.objects.filter(case=case).exclude(pk=chosen.pk).first()
    assert expert.get(f"{url}materials/{chosen.pk}/").status_code == 404  # not before accepting
    assert expert.post(f"{url}accept/").status_code == 302
    assert expert.get(f"{url}materials/{chosen.pk}/").status_code == 200
    if other is not None:
        assert expert.get(f"{url}materials/{other.pk}/").status_code == 404
    bad = expert.post(f"{url}sign/", {"score": "150", "approve": "yes", "reasons": "可行"})
    assert bad.status_code == 422 and "评分" in bad.content.decode()
    assert expert.post(f"{url}sign/", {"score": "88", "approve": "yes", "reasons": "可行"}).status_code == 302
    assert "已签署的评审意见" in expert.get(url).content.decode()
    rev = login_as("jn_planning_rev")
    assert rev.post(f"/workbench/reviews/panels/{panel.ref}/conclude/").status_code == 302
    assert "已形成结论" in expert.get(url).content.decode()
    assert services.seeding_checkpoint(panel) is not None
    assert user("jn_planning_rev")  # the requester concluded
