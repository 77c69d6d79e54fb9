"""`yiwang load_demo`: load (or complete) the demo world. Safe to run again."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from yiwang.demo import world
from yiwang.demo.assisted import load_assisted
from yiwang.demo.brands import load_brands
from yiwang.demo.bundles import load_demo_bundles
from yiwang.demo.bundles_birth import load_birth_bundle
from yiwang.demo.cases import load_cases
from yiwang.demo.claims import load_claims
from yiwang.demo.clients import CREDENTIALS_FILE, load_clients
from yiwang.demo.crossregion import load_cross_region
from yiwang.demo.exchange import load_exchange
from yiwang.demo.history import load_history
from yiwang.demo.ratings import load_ratings
from yiwang.demo.registry import records_file, registry_running
from yiwang.demo.reviews import load_reviews
from yiwang.demo.supervision import load_notices, load_publications, load_rules, load_schemes
from yiwang.workcalendar.services import calendar_years_seed


class Command(BaseCommand):
    help = (
        "Load the demo world (regions, departments, personas, catalog, data sharing, cases in every state, ratings, "
        "months of history). Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        years = calendar_years_seed(years=settings.CALENDAR_SEED_YEARS)
        created = world.load_world()
        brands = load_brands()  # 济南 在泉城全办成 and 泰安 泰好办, published by a second administrator
        exchange = load_exchange()
        api_clients = load_clients(settings.DATA_DIR)
        records = records_file(settings.DATA_DIR)  # what `yiwang.demo.run`'s stand-in registry serves
        published = load_rules()  # before any case: every demo case is watched as it happens
        with registry_running():  # the demo cases' 免提交 营业执照 and 户籍 are read from it
            cases = load_cases()
            reviews = load_reviews()  # 专家库 and a concluded 专家评审 (after the cases: its case is one more)
            load_cross_region()  # 跨域通办: 赵六 of 泰安 applies for 济南's 公司设立登记 (demo.crossregion)
            ratings = load_ratings()  # after the cases: it rates them, and adds months of rated ones
            history = load_history()  # then the months of cases of every item, state and outcome
            bundles = load_demo_bundles()  # 开办餐饮店一件事 published; lisi's one in progress
            load_birth_bundle()  # 新生儿出生一件事 published (a personal one)
            assisted = load_assisted()  # 帮办代办: jn_window helped 张三 apply at the window (demo.assisted)
        supervision = load_notices()  # 督办 on some of the hits the rules found
        schemes = load_schemes()  # 考评 schemes: version 1 in force, a draft of version 2
        months = load_publications()  # the closed months' public figures, into the ledger
        claims = load_claims()  # 泰安 and 满庄镇 claim province items; an amendment 泰安 has yet to confirm
        self.stdout.write(f"工作日历：新增 {years} 个年度；演示数据新增：{created}")
        resources = exchange["resources"] + api_clients["resources"]
        demands = exchange["demands"] + api_clients["demands"]
        self.stdout.write(f"数据共享：新增数据资源 {resources} 项、共享需求 {demands} 项")
        if api_clients["clients"]:
            where = settings.DATA_DIR / CREDENTIALS_FILE
            self.stdout.write(f"接口客户端：市场监管“食品安全监管系统”已登记，凭证（仅此一次）写入 {where}")
        skipped = f"（未创建：{cases['skipped']}）" if cases["skipped"] else ""
        skipped += f"（历史办件未创建：{history['skipped']}）" if history["skipped"] else ""
        self.stdout.write(
            f"演示办件：新增 {cases['cases']} 件、历史办件 {history['cases']} 件{skipped}；一件事 {bundles} 件"
        )
        skipped = f"（未创建：{ratings['skipped']}）" if ratings["skipped"] else ""
        self.stdout.write(f"好差评：新增已评价办件 {ratings['cases']} 件、评价 {ratings['ratings']} 条{skipped}")
        hits, notices = supervision["hits"], supervision["notices"]
        self.stdout.write(f"电子监察：新发布监察规则 {published} 条；规则命中 {hits} 次；新增督办 {notices} 件")
        self.stdout.write(f"考评：新发布考评方案版本 {schemes} 个")
        self.stdout.write(f"专家评审：新增专家 {reviews['experts']} 人、已形成结论的专家评审 {reviews['panels']} 次")
        self.stdout.write(f"城市品牌：新发布 {brands} 个（admin 起草、admin2 复核发布；见 docs/brands.md）")
        self.stdout.write(f"帮办代办：新增 {assisted} 件（jn_window 为张三代办户外广告设置许可，张三短信确认）")
        self.stdout.write(f"政务服务数据公开：新公开月度数据 {months} 个月")
        self.stdout.write(f"事项认领：新认领 {claims['claims']} 项、新下达基本要素调整 {claims['amendments']} 项")
        self.stdout.write(f"演示提供系统（市场主体登记、户籍）的数据：{records}")
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {world.DEMO_PASSWORD}）：")
        for username, description in world.logins():
            self.stdout.write(f"  {username:<18} {description}")
