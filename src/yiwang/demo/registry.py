"""The demo's stand-in provider systems: 市场监管's register and 公安's 户籍, served by
`yiwang.exchange.devprovider` (a real local HTTP process) from records of the demo world.

`load_demo` writes the records to <YIWANG_DATA_DIR>/exchange/records.json and, unless
EXCHANGE_SYSTEMS names real systems, runs a registry while it loads the demo cases (their
免提交 营业执照 is read from it); `yiwang.demo.run` starts one from the same file for the
platform's lifetime (docs/exchange.md "The demo's provider systems").
"""

import contextlib
import json
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from yiwang.core.localproc import start, stop
from yiwang.demo.world import APPLICANTS, ENTERPRISE

SYSTEMS = ("scjg-register", "gaj-hukou")  # the `http:<system>` of the demo resources
ENTERPRISE_REGISTER = "scjg.enterprise_register"
HOUSEHOLD_REGISTER = "gaj.household_register"

_PERSON = {a.username: a for a in APPLICANTS}
# Where each persona's 户籍 is: 生育登记's 秒批 needs a 济南 户籍 (zhangsan, wangwu); lisi's is
# in 泰安, so her 生育登记 goes to a person.
_HOUSEHOLD = {
    "zhangsan": ("山东省济南市历下区泉城路街道文化东路社区", "张三"),
    "lisi": ("山东省泰安市泰山区财源街道", "李建国"),
    "wangwu": ("山东省济南市长清区文昌街道", "王五"),
}


def records() -> dict[str, dict[str, dict[str, Any]]]:
    """{resource code: {subject id: record}} for the demo's enterprise and persons."""
    wangwu, zhangsan = _PERSON["wangwu"], _PERSON["zhangsan"]
    register = {
        str(ENTERPRISE["credit_code"]): {
            "name": ENTERPRISE["name"],
            "credit_code": ENTERPRISE["credit_code"],
            "legal_rep": ENTERPRISE["legal_representative"],
            "legal_rep_id": wangwu.id_number,
            "established": "2021-06-18",
            "address": ENTERPRISE["address"],
            "business_scope": "餐饮服务；食品销售；餐饮管理。",
        },
        # zhangsan's 个体工商户, found by its operator's identity number (an applicant who is a
        # person applies for the business they run).
        zhangsan.id_number: {
            "name": "济南市历下区张三小吃店",
            "credit_code": "92370102MA3D2K1X7Q",
            "legal_rep": zhangsan.name,
            "legal_rep_id": zhangsan.id_number,
            "established": "2023-03-08",
            "address": "济南市历下区文化东路12号",
            "business_scope": "小吃店：热食类食品制售。",
        },
    }
    household = {}
    for username, (address, head) in _HOUSEHOLD.items():
        person = _PERSON[username]
        number = person.id_number
        household[number] = {
            "name": person.name,
            "id_number": number,
            "gender": "男" if int(number[16]) % 2 else "女",
            "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
            "household_address": address,
            "household_head": head,
        }
    return {ENTERPRISE_REGISTER: register, HOUSEHOLD_REGISTER: household}


def records_file(data_dir: Path) -> Path:
    path = data_dir / "exchange" / "records.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records(), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def start_registry(records: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """Start the stand-in on a free port of 127.0.0.1: (process, base URL, API key)."""
    key = secrets.token_urlsafe(24)
    # `--api-key=…` in one argument: a token may begin with "-", which argparse would take for an option
    proc, port = start("yiwang.exchange.devprovider", "--records", str(records), f"--api-key={key}")
    return proc, f"http://127.0.0.1:{port}", key


def systems_at(url: str, key: str) -> dict[str, dict[str, str]]:
    return {system: {"url": url, "key": key} for system in SYSTEMS}


@contextlib.contextmanager
def registry_running() -> Iterator[None]:
    """While loading the demo: the stand-in registry answers for the demo systems, unless
    EXCHANGE_SYSTEMS already names them (then those are read)."""
    if any(system in settings.EXCHANGE_SYSTEMS for system in SYSTEMS):
        yield
        return
    proc, url, key = start_registry(records_file(settings.DATA_DIR))
    configured = settings.EXCHANGE_SYSTEMS
    settings.EXCHANGE_SYSTEMS = {**configured, **systems_at(url, key)}
    try:
        yield
    finally:
        settings.EXCHANGE_SYSTEMS = configured
        stop(proc)
