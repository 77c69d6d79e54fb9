"""Demo ratings (好差评): a few months of ratings on the demo items, made through the services.

Run after the demo cases (yiwang.demo.cases), on the same working-day anchor. The concluded
and decided demo cases are rated by their applicants (on the PC, by the conclusion notice's
link, on the hall tablet) and one by the 12345 hotline (recorded by jn_supervisor). For
figures over about three months, `REGULAR` more 公司设立登记 (即办件, concluded at once) are
filed by zhangsan, lisi and wangwu over the last `SPAN_DAYS` working days and rated mostly
well; some are left unrated (主动评价率 below 100%). The bad reviews, one in each state:

| story        | bad review                          | what followed                                         |
|--------------|-------------------------------------|-------------------------------------------------------|
| rectified    | 指南材料说明与窗口不一致（非常不满意） | 整改 (7 working days), 回访, closed; rated again 满意 |
| fixed        | 窗口等候时间长（不满意）             | 立行立改 the same day, 回访                           |
| explained    | sign-denied by the hotline（不满意） | 解释说明 (no legal basis), 回访                       |
| upheld       | meant for another item（非常不满意） | 解释说明, appeal by jn_head upheld by sd_supervisor: excluded |
| rectifying   | 电子执照下载页打不开（不满意）       | 整改 opened, due after the anchor                     |
| overdue      | 办理慢（非常不满意）                 | nothing: past its deadline, warned                    |
| appealed     | an advertisement, not a rating       | appeal by jn_head, waiting for the supervisor         |
| pending      | 网上预约不好用（不满意）             | nothing yet, within its deadline                      |

The loop back: `AMENDED` working days ago jn_catalog opened a 服务改进 on 公司设立登记 from its
bad reviews about the guide's materials; sd_catalog drafted the amendment citing it and
jn_catalog published it; the cases filed since are under the new version, so the guide shows
the versions either side. (The stories' cases are filed before the amendment.)

zhangsan's newest 公司设立登记 (`fresh`) stays unrated: its notice link is there to try.
Loading is idempotent: a case is found by its idempotency key ("demo-rated-…"), a rating by
its case and way; a story's steps run only right after its rating is made.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from yiwang.cases.models import Case
from yiwang.catalog import services as catalog
from yiwang.catalog.selectors import pinned_version
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.demo.cases import KEY_PREFIX, Script, demo_anchor
from yiwang.demo.items import COMPANY
from yiwang.demo.world import APPLICANTS
from yiwang.notifications.models import Message
from yiwang.ratings import improvements, services
from yiwang.ratings.models import Channel, Improvement, Rating, channel_family

SPAN_DAYS = 62  # working days back: about three months
AMENDED = 15  # working days back: 公司设立登记's amendment answering the demo's 服务改进
REGULAR = 26  # rated (or not) the ordinary way
RESPONDER = "jn_head"  # 济南市行政审批服务局's head answers its bad reviews
SIGN_RESPONDER = "jn_urban_head"  # 户外广告设置许可 is 济南市城市管理局's
WINDOW = "jn_window"
JUDGE = "sd_supervisor"  # decides appeals: holds no post in the rated department
LINK = re.compile(r"/rate/([A-Za-z0-9_-]+)")
ID_NUMBERS = {a.username: a.id_number for a in APPLICANTS}
APPLICANT_ORDER = ("zhangsan", "lisi", "wangwu")
NAMES = ("明湖", "趵突", "千佛", "历山", "舜耕", "华山", "鹊山", "五龙", "黑虎", "珍珠", "芙蓉", "曲水")
TRADES = ("商贸", "科技", "文化传媒", "信息咨询")
COMPANY_MATERIALS = {
    "application": "公司登记申请书",
    "shareholders": "股东身份证明",
    "premises": "住所租赁合同",
    "articles": "公司章程",
}
# (grade, tags, text) of the ordinary ratings, in turn
GOOD = [
    (5, ["efficiency", "online"], "网上提交，当天就拿到了电子营业执照。"),
    (5, ["convenience"], ""),
    (4, ["attitude"], "窗口工作人员很耐心。"),
    (5, ["online", "guide"], "指南写得清楚，一次就过了。"),
    (3, ["materials"], "材料还是有点多。"),
    (5, [], ""),
    (4, ["efficiency"], ""),
    (5, ["attitude", "efficiency"], "全程帮办，很快。"),
]
WAYS = (Channel.PC, Channel.MOBILE, Channel.NOTICE_LINK)


def _token(case: Case) -> str:
    """The one-time link's token from the applicant's conclusion notice (as they would click it)."""
    for body in Message.objects.filter(reference=case.subject, subject__contains="已办结").values_list(
        "body", flat=True
    ):
        found = LINK.search(body)
        if found:
            return found.group(1)
    raise LookupError(f"办件 {case.number} 的办结通知中没有评价链接")


@dataclass
class Loader:
    s: Script
    created: dict[str, int]

    def case(self, key: str, applicant: str, days_ago: int, serial: int) -> Case:
        """A 公司设立登记 filed and registered at once (即办件), concluded by electronic delivery."""
        found = Case.objects.filter(idempotency_key=KEY_PREFIX + key).first()
        if found is not None:
            return found
        form = {
            "company_name": f"济南{NAMES[serial % len(NAMES)]}{TRADES[serial % len(TRADES)]}有限公司",
            "registered_capital": str(10 * (1 + serial % 9)),
            "address": f"济南市历下区泉城路{100 + serial}号",
            "legal_rep_id": ID_NUMBERS[applicant],
            "business_scope": "一般项目：信息咨询服务；企业管理咨询；市场营销策划。",
        }
        case = self.s.apply(
            key, applicant, COMPANY.basic_code, form, COMPANY_MATERIALS, days_ago=days_ago, hhmm="09:10"
        )
        self.created["cases"] += 1
        return self.s.accept(case, days_ago=days_ago, hhmm="09:45")

    def rate(
        self, case: Case, way: Channel, grade: int, tags: list[str], text: str, *, days_ago: int, hhmm: str
    ) -> Rating | None:
        """The rating by `way`, unless the case has one that way already (then None)."""
        if Rating.objects.filter(case=case, family=channel_family(way)).exists():
            return None
        with self.s.at(days_ago, hhmm):
            if way == Channel.NOTICE_LINK:
                rating = services.rating_give_by_link(token=_token(case), grade=grade, tags=tags, text=text)
            elif way == Channel.HALL_TABLET:
                token = services.hall_link_issue(actor=self.s.user(WINDOW), case_number=case.number or "")
                rating = services.rating_give_by_link(token=token, grade=grade, tags=tags, text=text)
            elif way == Channel.HOTLINE:
                rating = services.rating_record_hotline(
                    actor=self.s.user("jn_supervisor"), case_number=case.number or "", grade=grade, tags=tags, text=text
                )
            else:
                rating = services.rating_give(
                    actor=case.applicant, case_number=case.number or "", grade=grade, tags=tags, text=text, channel=way
                )
        self.created["ratings"] += 1
        return rating

    def then(self, days_ago: int, hhmm: str, step: Callable[[], Any]) -> None:
        with self.s.at(days_ago, hhmm):
            step()

    def revisit(self, rating: Rating, days_ago: int, outcome: str) -> None:
        self.then(
            days_ago,
            "15:30",
            lambda: services.rating_revisit(
                actor=self.s.user(WINDOW), rating_id=rating.pk, way="phone", outcome=outcome
            ),
        )


# --- the demo's own cases ---------------------------------------------------------------------------


def _rate_demo_cases(load: Loader) -> None:
    s = load.s

    def demo(key: str) -> Case | None:
        return Case.objects.filter(idempotency_key=KEY_PREFIX + key).first()

    company, birth, food, denied = (
        demo("company-instant"),
        demo("birth-auto"),
        demo("food-concluded"),
        demo("sign-denied"),
    )
    if company is not None:
        load.rate(
            company, Channel.PC, 5, ["efficiency", "online"], "当场就拿到了电子营业执照。", days_ago=20, hhmm="10:30"
        )
    if birth is not None and birth.status == "concluded":  # 秒批 needs the 户籍 read (the stand-in registry)
        load.rate(
            birth, Channel.NOTICE_LINK, 5, ["online", "convenience"], "手机上提交，秒批。", days_ago=17, hhmm="08:10"
        )
    if food is not None:
        load.rate(food, Channel.HALL_TABLET, 5, ["attitude"], "", days_ago=14, hhmm="10:40")
        load.rate(
            food, Channel.PC, 4, ["efficiency", "materials"], "比预期快，材料准备有点费劲。", days_ago=14, hhmm="16:00"
        )
    if denied is not None:  # the applicant called 12345 about the refusal: 解释说明
        rating = load.rate(
            denied, Channel.HOTLINE, 2, ["guide"], "不予许可，觉得理由说得不清楚。", days_ago=10, hhmm="11:20"
        )
        if rating is not None:
            explanation = (
                "经核实，设置地点位于芙蓉街历史文化街区核心保护范围内，依《城市市容和环境卫生管理条例》"
                "第十一条及本市户外广告设置规划不予许可，决定书已载明理由；已电话向申请人解释并告知可另选地点申请。"
            )
            load.then(
                9,
                "10:00",
                lambda: services.rating_explain(
                    actor=s.user(SIGN_RESPONDER), rating_id=rating.pk, explanation=explanation
                ),
            )
            load.revisit(rating, 9, "已电话说明不予许可的依据，申请人表示理解。")


# --- the bad reviews, one in each state -----------------------------------------------------------


def _rectified(load: Loader, rating: Rating) -> None:
    head = load.s.user(RESPONDER)
    plan = "核对办事指南“住所使用证明”的说明与窗口口径，修订指南并组织窗口人员培训。"
    load.then(44, "09:30", lambda: services.rating_rectify(actor=head, rating_id=rating.pk, plan=plan, days=7))
    load.revisit(rating, 44, "已致歉，说明将修订指南，申请人同意等待整改结果。")
    result = "已修订办事指南材料说明（以租赁合同或产权证明之一即可），窗口人员已完成培训。"
    load.then(39, "16:00", lambda: services.rectification_close(actor=head, rating_id=rating.pk, result=result))
    load.then(
        37,
        "19:20",
        lambda: services.rectification_rate(
            actor=rating.rater, rating_id=rating.pk, grade=4, text="指南已经改过来了。"
        ),
    )


def _fixed(load: Loader, rating: Rating) -> None:
    how = "当场致歉；已调整午间窗口排班，高峰时段增开一个综合受理窗口。"
    load.then(30, "14:00", lambda: services.rating_fix(actor=load.s.user(WINDOW), rating_id=rating.pk, how=how))
    load.revisit(rating, 29, "申请人对调整表示认可。")


def _upheld(load: Loader, rating: Rating) -> None:
    head, judge = load.s.user(RESPONDER), load.s.user(JUDGE)
    explanation = "经核实，评价内容所述为食品经营许可的受理问题，与本办件（公司设立登记，当场办结）无关。"
    load.then(13, "10:00", lambda: services.rating_explain(actor=head, rating_id=rating.pk, explanation=explanation))
    load.revisit(rating, 13, "申请人确认评价时选错了办件。")
    appeal: list[Any] = []
    load.then(
        13,
        "16:00",
        lambda: appeal.append(
            services.appeal_file(actor=head, rating_id=rating.pk, reason="误评：评价内容针对其他事项，申请人已确认。")
        ),
    )
    decision = "经复核，评价内容与本办件无关，申请人已确认误评，申诉成立，该评价不计入统计。"
    load.then(
        12,
        "11:00",
        lambda: services.appeal_decide(actor=judge, appeal_id=appeal[0].pk, uphold=True, decision=decision),
    )


def _rectifying(load: Loader, rating: Rating) -> None:
    plan = "排查电子营业执照下载页面在部分手机浏览器上无法打开的问题，完成修复并回访。"
    load.then(
        5,
        "10:30",
        lambda: services.rating_rectify(actor=load.s.user(RESPONDER), rating_id=rating.pk, plan=plan, days=7),
    )


def _appealed(load: Loader, rating: Rating) -> None:
    reason = "评价内容为代办广告，与本办件及服务无关，属恶意评价。"
    load.then(
        2, "09:40", lambda: services.appeal_file(actor=load.s.user(RESPONDER), rating_id=rating.pk, reason=reason)
    )


@dataclass(frozen=True)
class Story:
    key: str
    applicant: str
    days_ago: int
    way: Channel
    grade: int
    tags: list[str]
    text: str
    after: Callable[[Loader, Rating], None] | None = None


STORIES = [
    Story(
        "rectified",
        "zhangsan",
        45,
        Channel.NOTICE_LINK,
        1,
        ["guide", "materials"],
        "指南上说要提供产权证明，窗口又说租赁合同就行，白跑一趟。",
        _rectified,
    ),
    Story("fixed", "lisi", 30, Channel.PC, 2, ["attitude", "efficiency"], "叫号后等了四十分钟才有人受理。", _fixed),
    Story("upheld", "wangwu", 14, Channel.PC, 1, [], "食品经营许可交了半个月还没人受理！", _upheld),
    Story("overdue", "lisi", 8, Channel.MOBILE, 1, ["efficiency"], "办理太慢了。"),
    Story(
        "rectifying",
        "zhangsan",
        6,
        Channel.NOTICE_LINK,
        2,
        ["online"],
        "手机上下载电子营业执照的页面打不开。",
        _rectifying,
    ),
    Story("appealed", "wangwu", 3, Channel.PC, 1, [], "代办各类执照，加微信 dbzz2026，包过。", _appealed),
    Story("pending", "lisi", 2, Channel.MOBILE, 2, ["convenience"], "网上预约总是约不上。"),
]


def _stories(load: Loader) -> None:
    """Each story's case is filed before the amendment (under the version its review is about),
    its rating on the story's day."""
    for serial, story in enumerate(STORIES, start=100):
        filed = max(story.days_ago, AMENDED + 1 + serial % 5)
        case = load.case(f"rated-{story.key}", story.applicant, filed, serial)
        rating = load.rate(case, story.way, story.grade, story.tags, story.text, days_ago=story.days_ago, hhmm="11:00")
        if rating is not None and story.after is not None:
            story.after(load, rating)


def _regular(load: Loader, *, after_amendment: bool) -> None:
    """REGULAR cases spread over SPAN_DAYS (those filed before or after the amendment); every
    seventh is left unrated."""
    for index in range(REGULAR):
        days_ago = SPAN_DAYS - index * (SPAN_DAYS - 2) // (REGULAR - 1)
        if (days_ago <= AMENDED) != after_amendment:
            continue
        applicant = APPLICANT_ORDER[index % len(APPLICANT_ORDER)]
        case = load.case(f"rated-{index:02d}", applicant, days_ago, index)
        if index % 7 == 6:
            continue
        grade, tags, text = GOOD[index % len(GOOD)]
        way = WAYS[index % len(WAYS)]
        load.rate(case, way, grade, tags, text, days_ago=days_ago, hhmm="17:30" if way == Channel.PC else "20:15")


# --- the loop back: an improvement answered by an amendment -------------------------------------


def _improve(load: Loader) -> None:
    """jn_catalog opens 服务改进 on 公司设立登记 from its bad reviews about the guide's materials;
    sd_catalog drafts the amendment citing it, jn_catalog publishes it (four eyes) and answers
    the improvement; the cases filed after it are under the new version."""
    s = load.s
    version = s.versions[COMPANY.basic_code]
    implementation = version.implementation
    if Improvement.objects.filter(implementation=implementation).exists():
        return
    cited = [
        rating.pk for rating in improvements.bad_reviews_of(implementation) if {"guide", "materials"} & set(rating.tags)
    ]
    if not cited:
        return
    opened: list[Improvement] = []
    load.then(
        AMENDED + 2,
        "10:00",
        lambda: opened.append(
            improvements.improvement_open(
                actor=s.user("jn_catalog"),
                implementation_id=implementation.pk,
                title="住所使用证明的说明与窗口口径不一致",
                finding="差评反映办事指南对住所使用证明的要求（产权证明或租赁合同）写得不清楚，与窗口说法不一致。",
                rating_ids=cited,
            )
        ),
    )
    improvement = opened[0]
    drafter, publisher = s.user("sd_catalog"), s.user("jn_catalog")
    amended: list[Any] = []

    def amend() -> None:
        draft = catalog.implementation_version_draft(
            actor=drafter,
            basic_code=COMPANY.basic_code,
            region=implementation.region,
            department=implementation.department,
            change_kind="amend",
            change_reason=f"答复服务改进 {improvement.code}：申请材料逐项写明住所使用证明以产权证明或租赁合同之一即可",
        )
        catalog.implementation_version_submit(actor=drafter, version=draft)
        amended.append(catalog.implementation_version_publish(actor=publisher, version=draft, note="同意"))

    load.then(AMENDED + 1, "15:00", amend)
    load.then(
        AMENDED,
        "09:00",
        lambda: improvements.improvement_answer(
            actor=publisher, improvement_id=improvement.pk, version_id=amended[0].pk
        ),
    )
    s.versions[COMPANY.basic_code] = pinned_version(amended[0].pk)
    load.created["improvements"] = 1


def load_ratings() -> dict[str, Any]:
    """Rate the demo cases and add the months of rated cases; returns what was created."""
    created = {"cases": 0, "ratings": 0}
    calendar = working_calendar()
    if not calendar.years or not Case.objects.filter(idempotency_key=KEY_PREFIX + "company-instant").exists():
        return {**created, "skipped": "演示办件未加载"}
    script = Script(demo_anchor(calendar, clock.today()), calendar)
    version = script.versions.get(COMPANY.basic_code)
    first = version and version.implementation.versions.order_by("number").first()  # before the amendment
    if first is None or first.valid_from is None or first.valid_from > script.moment(SPAN_DAYS, "08:00"):
        return {**created, "skipped": "事项发布时间晚于演示评价日期，请重建演示数据库"}
    load = Loader(script, created)
    _rate_demo_cases(load)
    _regular(load, after_amendment=False)
    _stories(load)
    _improve(load)
    _regular(load, after_amendment=True)
    load.case("rated-fresh", "zhangsan", 1, 99)  # unrated: its notice link is there to try
    services.ratings_warn_overdue(today=script.anchor)  # the daily job: the overdue one is warned
    return {**created, "skipped": ""}
