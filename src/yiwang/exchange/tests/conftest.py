import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from yiwang.core.localproc import start, stop
from yiwang.exchange import providers

CREDIT_CODE = "91370102MA3C4L8K2X"
RECORDS = {
    "scjg.enterprise_register": {
        CREDIT_CODE: {
            "name": "济南泉城餐饮管理有限公司",
            "credit_code": CREDIT_CODE,
            "legal_rep": "王五",
            "legal_rep_id": "370112197506123180",
            "established": "2024-05-20",
        }
    }
}


@dataclass
class Registry:
    url: str

    def control(self, **order: object) -> dict[str, object]:
        request = urllib.request.Request(  # noqa: S310 - the local stand-in
            f"{self.url}/_control", data=json.dumps(order).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return dict(json.loads(answer.read()))


@pytest.fixture
def registry_records() -> dict[str, dict[str, dict[str, object]]]:
    """What the stand-in registry holds (a test module may override this fixture)."""
    return RECORDS


@contextmanager
def all_slots_taken(system: str) -> Iterator[None]:
    """Every in-flight slot of `system` held, as by reads hanging on it in other threads."""
    slot = providers._Bulkhead.of(system)
    taken = 0
    while slot.acquire(blocking=False):
        taken += 1
    try:
        yield
    finally:
        for _ in range(taken):
            slot.release()


@pytest.fixture
def registry(settings, tmp_path: Path, registry_records: dict[str, object]) -> Iterator[Registry]:  # type: ignore[no-untyped-def]
    """The stand-in 市场监管 registry as a real process; resources of system `scjg-register` use it."""
    records = tmp_path / "records.json"
    records.write_text(json.dumps(registry_records, ensure_ascii=False), encoding="utf-8")
    # A key that begins with "-", as secrets.token_urlsafe sometimes makes (the demo's once failed on one)
    proc, port = start("yiwang.exchange.devprovider", "--records", str(records), "--api-key=-test-key")
    url = f"http://127.0.0.1:{port}"
    settings.EXCHANGE_SYSTEMS = {"scjg-register": {"url": url, "key": "-test-key"}}
    settings.EXCHANGE_TIMEOUT = 1.0
    settings.EXCHANGE_BREAKER_FAILURES = 3
    providers._Breaker("scjg-register").reset()
    try:
        yield Registry(url)
    finally:
        stop(proc)


@dataclass
class Receiver:
    """A subscriber's webhook receiver (yiwang.exchange.devreceiver) as a real process."""

    secret: str
    record: Path
    port: int
    proc: object = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc, self.port = start(
            "yiwang.exchange.devreceiver", "--secret", self.secret, "--record", str(self.record), port=self.port or None
        )

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)  # type: ignore[arg-type]
            self.proc = None

    def control(self, **order: object) -> dict[str, object]:
        request = urllib.request.Request(  # noqa: S310 - the local stand-in
            f"{self.url}/_control", data=json.dumps(order).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return dict(json.loads(answer.read()))

    def deliveries(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.record.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def start_receiver(tmp_path: Path) -> Iterator[object]:
    """Start a devreceiver checking signatures with the given webhook secret."""
    started: list[Receiver] = []

    def make(secret: str) -> Receiver:
        receiver = Receiver(secret=secret, record=tmp_path / f"hooks-{len(started)}.jsonl", port=0)
        receiver.start()
        started.append(receiver)
        return receiver

    try:
        yield make
    finally:
        for receiver in started:
            receiver.stop()
