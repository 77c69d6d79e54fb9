"""The plan of the demo's history (yiwang.demo.history): which cases, by whom, when, how they end.

Deterministic: a seeded random.Random over the working days back from the anchor, so every
load plans the same cases. `VOLUME` in yiwang.demo.history takes a share of the regular ones.
"""

import random
from dataclasses import dataclass
from typing import Any

from yiwang.demo.cases import FOOD_MATERIALS, HYGIENE_MATERIALS, SIGN_MATERIALS, food_form
from yiwang.demo.items import BIRTH, FOOD, HYGIENE, PLANNING, SIGN
from yiwang.demo.world import resident_id

SPAN_DAYS = 84  # working days back: about four months
NEWEST_DAYS = 3  # the regular cases are filed up to this many working days before the anchor
SEED = 2026_15
PLANNING_MATERIALS = {"application": "建设工程规划许可证申请表", "design": "建设工程设计方案总平面图"}

# (username, name, district code, birth date, sequence): residents who file in the history
CITIZENS = [
    ("wangfang", "王芳", "370103", "19910414", "262"),
    ("liuyang", "刘洋", "370104", "19870903", "175"),
    ("chenjing", "陈静", "370105", "19930121", "048"),
    ("yangli", "杨丽", "370112", "19850618", "326"),
    ("zhaolei", "赵磊", "370102", "19890227", "213"),
    ("sunhao", "孙浩", "370103", "19951108", "331"),
    ("zhoumin", "周敏", "370104", "19900730", "122"),
    ("wuqiang", "吴强", "370105", "19820512", "279"),
]
PERSONAS = ("zhangsan", "lisi", "wangwu")
SHOPS = ("老济南把子肉", "泉水豆花", "明湖甜沫", "草包包子", "油旋张", "超意兴快餐", "黑虎泉茶社", "鲁菜小馆")
STREETS = ("经十路", "泉城路", "历山路", "山大路", "堤口路", "二环东路", "工业南路", "经四路", "花园路")
VENUES = (("hotel", "快捷酒店"), ("bath", "洗浴中心"), ("beauty", "美发店"), ("pool", "游泳馆"))


@dataclass(frozen=True)
class Kind:
    """An item as the history files it: where, who works it, how often, how well."""

    key: str
    basic_code: str
    rate: float  # regular cases per working day, on average
    committed: int  # working days the decision may take
    window: str
    reviews: tuple[tuple[str, str], ...]  # (task key, reviewer)
    approver: str
    late: float  # share decided after the committed date
    refused: float = 0.08
    district: bool = False


KINDS = {
    k.key: k
    for k in (
        Kind("food", FOOD.basic_code, 0.9, 5, "jn_window", (("review", "jn_reviewer"),), "jn_approver", 0.06),
        Kind("sign", SIGN.basic_code, 0.35, 8, "jn_window", (("review", "jn_urban_rev"),), "jn_urban_app", 0.08),
        Kind(  # 卫健委 is the slow one: over half decided after the committed date
            "hygiene", HYGIENE.basic_code, 0.45, 10, "jn_window", (("review", "jn_health_rev"),), "jn_health_app", 0.55
        ),
        Kind("birth", BIRTH.basic_code, 0.4, 1, "jn_window", (), "jn_health_app", 0.0, refused=0.0),
        Kind(
            "planning",
            PLANNING.basic_code,
            0.08,
            15,
            "jn_window",
            (
                ("planning", "jn_planning_rev"),
                ("fire", "jn_fire_rev"),
                ("air_defence", "jn_airdef_rev"),
                ("transport", "jn_transport_rev"),
            ),
            "jn_planning_app",
            0.15,
        ),
        Kind(
            "lx_food",
            FOOD.basic_code,
            0.35,
            5,
            "lx_window",
            (("review", "lx_reviewer"),),
            "lx_approver",
            0.05,
            0.05,
            True,
        ),
    )
}


@dataclass(frozen=True)
class Plan:
    """One case of the history: what is filed, by whom, when, and how it ends."""

    key: str
    kind: str
    applicant: str
    filed: int  # working days before the anchor
    story: str  # ok / late / refused / supplement / denied / withdrawn, or a named story
    serial: int
    pickup: bool = False
    hhmm: str = "09:20"


def _applicants_for(kind: str, applicants: list[str]) -> list[str]:
    if kind == "planning":  # 建设工程规划许可 is for enterprises: 泉城餐饮's agents
        return ["wangwu", "lisi"]
    if kind == "birth":  # the personas' own 生育登记 is in the demo cases
        return [c[0] for c in CITIZENS]
    return applicants


def _week_factor(rng: random.Random) -> list[float]:
    return [rng.uniform(0.55, 1.45) for _ in range(SPAN_DAYS // 5 + 2)]


def plan(volume: float = 1.0) -> list[Plan]:
    """The regular cases (`volume` of them, deterministic) and the named stories."""
    rng = random.Random(SEED)
    weeks = _week_factor(rng)
    applicants = [c[0] for c in CITIZENS] + list(PERSONAS)
    regular: list[Plan] = []
    serial = 0
    for days_ago in range(SPAN_DAYS, NEWEST_DAYS - 1, -1):
        week = weeks[(SPAN_DAYS - days_ago) // 5]
        for kind in KINDS.values():
            span = max(kind.committed + 4, 3)
            if days_ago < span + 1 or rng.random() >= kind.rate * week:
                continue
            serial += 1
            draw = rng.random()
            refused = 0.45 if kind.key == "hygiene" and 26 <= days_ago <= 30 else kind.refused  # a bad week
            if draw < refused:
                story = "refused"
            elif kind.key == "birth":
                story = "ok"
            elif draw < refused + 0.04:
                story = "withdrawn"
            elif draw < refused + 0.08:
                story = "denied"
            elif draw < refused + 0.18:
                story = "supplement"
            else:
                story = "late" if rng.random() < kind.late else "ok"
            pickup = kind.key == "planning" or (kind.key != "birth" and rng.random() < 0.15)
            regular.append(
                Plan(
                    f"{kind.key}-{serial:03d}",
                    kind.key,
                    rng.choice(_applicants_for(kind.key, applicants)),
                    days_ago,
                    story,
                    serial,
                    pickup,
                    f"{rng.choice((8, 9, 10, 11, 14, 15, 16, 20))}:{rng.choice(('05', '20', '35', '50'))}",
                )
            )
    step = max(1, round(1 / volume)) if volume > 0 else 0
    return (regular[::step] if step else []) + STORIES


STORIES = [
    Plan("two-supplements", "food", "liuyang", 40, "two-supplements", 901),
    Plan("long-suspension", "sign", "chenjing", 60, "long-suspension", 902),
    Plan("same-person", "lx_food", "zhaolei", 25, "same-person", 903),
    Plan("late-night", "food", "yangli", 18, "late-night", 904),
    Plan("open-submitted", "sign", "sunhao", 1, "open-submitted", 905, hhmm="16:10"),
    Plan("open-requested", "hygiene", "zhoumin", 2, "open-requested", 906),
    Plan("open-normal", "food", "wuqiang", 2, "open-normal", 907),
    Plan("open-warning", "food", "wangfang", 6, "open-warning", 908),  # accepted 5 back: 4 of 5 used
    Plan("open-overdue", "hygiene", "yangli", 14, "open-overdue", 909),
    Plan("open-pending", "sign", "liuyang", 6, "open-pending", 910),
    Plan("open-suspended", "planning", "wangwu", 12, "open-suspended", 911, pickup=True),
    Plan("open-decided", "sign", "chenjing", 7, "open-decided", 912, pickup=True),
]


# --- the forms ---------------------------------------------------------------------------------


def _spouse(id_number: str, region6: str, serial: int) -> str:
    """A spouse's ID number: the other sex (the 17th digit's parity)."""
    male = int(id_number[16]) % 2 == 1
    seq = f"{(serial * 7) % 90 + 10:02d}{0 if male else 1}"
    return resident_id(region6, f"19{88 + serial % 9}0{1 + serial % 9}1{serial % 9}", seq)


def form_of(p: Plan, id_number: str) -> dict[str, Any]:
    n, street = p.serial, STREETS[p.serial % len(STREETS)]
    address = f"济南市{('历下区', '市中区', '槐荫区', '天桥区', '历城区')[n % 5]}{street}{10 + n * 3 % 300}号"
    if p.kind in ("food", "lx_food"):
        if p.kind == "lx_food":
            address = f"济南市历下区{('泉城路', '解放路', '文化东路', '山大路')[n % 4]}{20 + n % 180}号"
        return food_form(f"{SHOPS[n % len(SHOPS)]}（{street}店）", address, id_number)
    if p.kind == "sign":
        return {"sign_site": f"{address}门店正立面", "sign_size": f"{4 + n % 20}.5"}
    if p.kind == "hygiene":
        venue, label = VENUES[n % len(VENUES)]
        return {
            "venue_name": f"泉城{street[:2]}{label}",
            "address": address,
            "venue_type": venue,
            "area": str(80 + n * 37 % 900),
        }
    if p.kind == "birth":
        spouse = _spouse(id_number, id_number[:6], n)
        mother, father = (spouse, id_number) if int(id_number[16]) % 2 == 1 else (id_number, spouse)
        return {"mother_id": mother, "father_id": father, "child_order": 1 + n % 2}
    return {
        "project_name": f"泉城餐饮{street}门店改扩建项目",
        "project_site": address,
        "floor_area": str(900 + n * 53 % 4000),
    }


MATERIAL_NAMES = {
    "food": FOOD_MATERIALS,
    "lx_food": FOOD_MATERIALS,
    "sign": SIGN_MATERIALS,
    "hygiene": HYGIENE_MATERIALS,
    "planning": PLANNING_MATERIALS,
    "birth": {},
}


REGULAR_STORIES = frozenset({"ok", "late", "refused", "supplement", "denied", "withdrawn"})
