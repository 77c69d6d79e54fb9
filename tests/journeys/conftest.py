"""Browser journeys: the platform started the way the README does, driven by Debian's Chromium.

One platform per session: a fresh temporary YIWANG_DATA_DIR, then `yiwang migrate`,
`yiwang createcachetable`, `yiwang load_demo` and `python -m yiwang.demo.run` (granian in WSGI
mode + the worker, exactly what `make demo` runs) on a free port of 127.0.0.1. Journeys share
that platform, so each one creates what it needs and never relies on another's data.

Fixtures and helpers:
- `base_url` (session): the running platform; its process group is stopped at the end.
- `browser` (session): Chromium at shutil.which("chromium") through Playwright.
- `page`: a fresh context per test, 1280x900, zh-CN, Asia/Shanghai.
- `new_page(phone=False)`: another fresh context (another person at another computer);
  `phone=True` gives the 390x844 phone viewport.
- `login(page, username)`, `logout(page)`: the real login form.
- `check_a11y(page, name)`: axe-core on the page as it is (fails on serious/critical
  violations) plus a full-page screenshot in tests/journeys/screenshots/<test>/<name>.png.

Every page opened through these fixtures is also watched for Content-Security-Policy
violations, uncaught JavaScript errors and HTTP 5xx answers; any of them fails the test. A
failing test leaves FAILED-*.png screenshots and the platform's log lines of that test in its
screenshots folder (and prints them).

Environment:
- YIWANG_E2E_BASE_URL: use an already-running platform instead of starting one (developing
  journeys; that platform's data is changed).
- YIWANG_E2E_REQUIRE_BROWSER=1 (or CI=true): a missing Chromium fails instead of skipping.
- YIWANG_E2E_HEADED=1, YIWANG_E2E_SLOWMO=<ms>: watch the journeys.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from journey_files import Files

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCREENSHOTS = HERE / "screenshots"
AXE_SOURCE_PATH = HERE / "vendor" / "axe.min.js"
DEMO_PASSWORD = "Yiwang-demo-2026"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
FAIL_IMPACTS = ("serious", "critical")
STARTUP_TIMEOUT = 90.0


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _chromium() -> str | None:
    return shutil.which("chromium")


def _browser_required() -> bool:
    return _truthy("YIWANG_E2E_REQUIRE_BROWSER") or _truthy("CI")


def _need_chromium() -> str:
    """Chromium's path; else skip the journeys — or fail them where Chromium is required (CI)."""
    executable = _chromium()
    if executable is None:
        if _browser_required():
            pytest.fail("Chromium is required here (CI): apt-get install chromium fonts-noto-cjk", pytrace=False)
        pytest.skip("browser journeys need Debian's Chromium; none found on PATH")
    return executable


# --- collection: every journey is a `browser` test; no Chromium -> skip (or fail in CI) ---------


@pytest.hookimpl(tryfirst=True)  # mark before `-m` deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mine = [item for item in items if HERE in Path(str(item.path)).parents]
    for item in mine:
        if item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
    if mine and _chromium() is None and not _browser_required():
        skip = pytest.mark.skip(
            reason="browser journeys need Debian's Chromium (`apt-get install chromium fonts-noto-cjk`); "
            "none found on PATH"
        )
        for item in mine:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"_journey_report_{report.when}", report)
    return report


_TIMINGS: dict[str, float] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _TIMINGS:
        terminalreporter.write_line(
            "journey platform: " + ", ".join(f"{step} {seconds:.1f}s" for step, seconds in _TIMINGS.items())
        )


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    """Overrides the root conftest's autouse fixture: journeys never touch a test database."""


# --- the platform ------------------------------------------------------------------------------


def _venv_bin() -> Path:
    candidate = ROOT / ".venv" / "bin"
    if (candidate / "yiwang").exists():
        return candidate
    return Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _platform_env(data_dir: Path) -> dict[str, str]:
    """The environment of `make demo`: no test settings, SQLite in the data directory."""
    env = dict(os.environ)
    for name in ("YIWANG_ENV", "YIWANG_TASKS_BACKEND", "DATABASE_URL", "REDIS_URL", "YIWANG_SQLITE_TEST_NAME"):
        env.pop(name, None)
    for name in list(env):
        if name.startswith("PYTEST_"):
            env.pop(name)
    env["YIWANG_DATA_DIR"] = str(data_dir)
    env["YIWANG_DEMO_RECEIVER_PORT"] = str(_free_port())  # the demo regulator's webhook receiver
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own 127.0.0.1 server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


try:  # resolved here, in the parent: the child between fork and exec only makes the call
    _PRCTL: Any = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
except (OSError, AttributeError):
    _PRCTL = None


def _die_with_parent() -> None:
    """In the platform's process (Linux): get SIGTERM when pytest dies, even by SIGKILL, so a
    killed test run never leaves a server behind (run.py stops web + worker on SIGTERM)."""
    if _PRCTL is not None:
        _PRCTL(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (run.py stops web + worker), then SIGKILL if needed."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
    # Whatever is left of the group (a stuck child), and the leader if still alive.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


@dataclass
class Platform:
    base_url: str
    data_dir: Path | None = None
    log: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def get(self, path: str) -> tuple[int, bytes]:
        return _get(self.base_url + path)

    def get_json(self, path: str) -> Any:
        status, body = self.get(path)
        assert status == 200, f"GET {path} -> {status}: {body[:300]!r}"
        return json.loads(body)

    def wait_integrated(self, entry_id: int, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until the worker (every 2 s) has put ledger entry `entry_id` under a signed
        checkpoint; returns the entry (GET /api/v1/ledger/entries/<id>)."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            status, body = self.get("/api/v1/ledger/checkpoint")
            if status == 200:
                size = int(body.decode().split("\n")[1])
                entry_status, entry_body = self.get(f"/api/v1/ledger/entries/{entry_id}")
                if entry_status == 200:
                    entry: dict[str, Any] = json.loads(entry_body)
                    if entry["leaf_index"] is not None and entry["leaf_index"] < size:
                        return entry
                    last = f"entry {entry_id}: leaf_index {entry['leaf_index']}, checkpoint size {size}"
                else:
                    last = f"entry {entry_id}: HTTP {entry_status}"
            else:
                last = f"no checkpoint yet (HTTP {status})"
            time.sleep(0.5)
        pytest.fail(f"the worker did not integrate ledger entry {entry_id} within {timeout:.0f} s ({last})")


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    external = os.environ.get("YIWANG_E2E_BASE_URL", "").rstrip("/")
    if external:
        yield Platform(base_url=external)
        return
    _need_chromium()  # before spending half a minute on the platform
    data_dir = tmp_path_factory.mktemp("yiwang-data")
    log = data_dir / "platform.log"
    env = _platform_env(data_dir)
    bin_dir = _venv_bin()
    timings: dict[str, float] = {}
    proc: subprocess.Popen[bytes] | None = None
    previous_sigterm: Any = None

    def stop() -> None:
        if proc is not None:
            _stop_group(proc)

    atexit.register(stop)  # also when the session dies before fixture teardown
    try:
        with log.open("ab") as out:
            for step in (["migrate", "--no-input"], ["createcachetable"], ["load_demo"]):
                started = time.monotonic()
                done = subprocess.run(
                    [str(bin_dir / "yiwang"), *step], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
                timings[f"yiwang {step[0]}"] = time.monotonic() - started
                if done.returncode != 0:
                    pytest.fail(f"`yiwang {' '.join(step)}` failed ({done.returncode}):\n{_tail(log)}")
            port = _free_port()
            started = time.monotonic()
            proc = subprocess.Popen(
                [str(bin_dir / "python"), "-m", "yiwang.demo.run", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole
                preexec_fn=_die_with_parent,
            )
        if threading.current_thread() is threading.main_thread():
            previous_sigterm = signal.getsignal(signal.SIGTERM)

            def on_sigterm(signum: int, frame: Any) -> None:  # a CI timeout: stop the platform first
                stop()
                signal.signal(signal.SIGTERM, previous_sigterm if previous_sigterm is not None else signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)

            signal.signal(signal.SIGTERM, on_sigterm)
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the platform exited with {proc.returncode} while starting:\n{_tail(log)}")
            with contextlib.suppress(OSError, ValueError):
                status, body = _get(base_url + "/api/v1/health", timeout=2)
                if status == 200 and json.loads(body).get("status") == "ok":
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the platform did not answer /api/v1/health within {STARTUP_TIMEOUT:.0f} s:\n{_tail(log)}")
            time.sleep(0.2)
        timings["server start"] = time.monotonic() - started
        yield Platform(base_url=base_url, data_dir=data_dir, log=log, timings=timings)
    finally:
        stop()
        atexit.unregister(stop)
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copyfile(log, SCREENSHOTS / "platform.log")
        _TIMINGS.update(timings)


@pytest.fixture(scope="session")
def base_url(platform: Platform) -> str:
    return platform.base_url


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=not _truthy("YIWANG_E2E_HEADED"),
            slow_mo=float(os.environ.get("YIWANG_E2E_SLOWMO", "0") or 0),
        )
        try:
            yield browser
        finally:
            browser.close()


class PageProblems:
    """What no journey should ever see: CSP violations, uncaught script errors, HTTP 5xx."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            text = message.text
            if message.type == "error" and "Content Security Policy" in text:
                self.items.append(f"CSP violation on {page.url}: {text}")

        def on_pageerror(error: Any) -> None:
            self.items.append(f"uncaught JavaScript error on {page.url}: {error}")

        def on_response(response: Any) -> None:
            if response.status >= 500:
                request = response.request
                self.items.append(f"HTTP {response.status} from the server for {request.method} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", on_pageerror)
        page.on("response", on_response)


def _safe(name: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("_") or "page"


@pytest.fixture
def screenshot_dir(request: pytest.FixtureRequest) -> Path:
    path = SCREENSHOTS / _safe(request.node.name)
    shutil.rmtree(path, ignore_errors=True)  # no stale screenshots from an earlier run
    path.mkdir(parents=True, exist_ok=True)
    return path


def _log_size(platform: Platform) -> int:
    try:
        return platform.log.stat().st_size if platform.log else 0
    except OSError:
        return 0


@pytest.fixture
def new_page(platform: Platform, browser: Any, request: pytest.FixtureRequest, screenshot_dir: Path) -> Iterator[Any]:
    """`new_page(phone=False)`: a page in a fresh context (own cookies: another person)."""
    contexts: list[Any] = []
    problems = PageProblems()
    log_from = _log_size(platform)

    def make(*, phone: bool = False) -> Any:
        options: dict[str, Any] = {
            "base_url": platform.base_url,
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
            "viewport": PHONE if phone else DESKTOP,
            "service_workers": "block",
        }
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=3)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    yield make
    report = getattr(request.node, "_journey_report_call", None)
    failed = report is not None and report.failed
    for index, context in enumerate(contexts):
        if failed:
            for number, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(screenshot_dir / f"FAILED-{index}-{number}.png"), full_page=True)
        with contextlib.suppress(Exception):
            context.close()
    if failed:
        if problems.items:
            print("\nproblems seen in the browser:\n" + "\n".join(problems.items))
        if platform.log is not None:
            lines: list[str] = []
            with contextlib.suppress(OSError), platform.log.open("rb") as log:
                log.seek(log_from)
                lines = log.read().decode("utf-8", "replace").splitlines()
            server = [line for line in lines if "django_tasks" not in line]  # the worker's routine chatter
            (screenshot_dir / "platform.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
            print("\nplatform log during this test (worker task lines left out):\n" + "\n".join(server[-150:]))
    elif problems.items:
        pytest.fail("problems seen in the browser:\n" + "\n".join(problems.items), pytrace=False)


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Any]) -> Any:
    return new_page(phone=True)


# --- helpers -----------------------------------------------------------------------------------


def login(page: Any, username: str, password: str = DEMO_PASSWORD, *, goto: bool = True) -> None:
    """Log in through the real form as a demo persona; returns once the browser has left the
    login page. `goto=False` when the page already shows the form (a login_required redirect,
    whose ?next= then takes the person back where they were going)."""
    from playwright.sync_api import expect

    if goto:
        page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="用户登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.get_by_role("button", name="退出登录", include_hidden=True)).to_be_attached()  # phone: in the menu


def logout(page: Any) -> None:
    from playwright.sync_api import expect

    button = page.get_by_role("button", name="退出登录")
    if not button.is_visible():  # a phone: the navigation is folded into the menu
        page.get_by_role("button", name="菜单").click()
    button.click()
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()


_AXE_SOURCE: str | None = None


def _axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_SOURCE_PATH.read_text(encoding="utf-8")
    return _AXE_SOURCE


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation.get('helpUrl', '')})"
        )
        for node in violation.get("nodes", [])[:8]:
            target = " ".join(" >> ".join(t) if isinstance(t, list) else str(t) for t in node.get("target", []))
            html = re.sub(r"\s+", " ", node.get("html", ""))[:160]
            lines.append(f"    at {target}   {html}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"       {summary[:300]}")
        extra = len(violation.get("nodes", [])) - 8
        if extra > 0:
            lines.append(f"    … and {extra} more")
    return "\n".join(lines)


def run_axe(page: Any, within: str | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page; each node says whether it lies inside `within`."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())  # not add_script_tag: the CSP forbids inline scripts
    result = page.evaluate(
        """async (within) => {
            const inside = (target) => {
                if (!within || target.length !== 1 || typeof target[0] !== "string") return false;
                const el = document.querySelector(target[0]);
                return !!(el && el.closest(within));
            };
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary,
                                          inside: inside(n.target)}))}));
        }""",
        within,
    )
    return list(result)


@pytest.fixture
def check_a11y(screenshot_dir: Path) -> Callable[..., list[dict[str, Any]]]:
    """`check_a11y(page, name)`: screenshot, then axe; fail on serious/critical violations.

    `tolerate={rule id: reason}` with `within=<selector>` accepts known violations of a
    vendored widget (and only inside it); they are printed, never hidden.
    """

    def check(
        page: Any, name: str, *, tolerate: dict[str, str] | None = None, within: str | None = None
    ) -> list[dict[str, Any]]:
        page.wait_for_load_state("load")
        page.screenshot(path=str(screenshot_dir / f"{_safe(name)}.png"), full_page=True)
        violations = run_axe(page, within)
        bad: list[dict[str, Any]] = []
        known: list[dict[str, Any]] = []
        for violation in violations:
            if violation.get("impact") not in FAIL_IMPACTS:
                continue
            nodes = violation["nodes"]
            if tolerate and violation["id"] in tolerate and within:
                tolerated = [n for n in nodes if n["inside"]]
                if tolerated:
                    known.append({**violation, "nodes": tolerated, "help": tolerate[violation["id"]]})
                nodes = [n for n in nodes if not n["inside"]]
            if nodes:
                bad.append({**violation, "nodes": nodes})
        if known:
            counts = ", ".join(f"{v['id']} x{len(v['nodes'])}" for v in known)
            warnings.warn(f"{name}: tolerated known upstream axe violations: {counts}", stacklevel=2)
            print(f"\nknown upstream axe violations tolerated on {name} ({page.url}):\n{format_violations(known)}")
        if bad:
            pytest.fail(
                f"accessibility ({name}, {page.url}): {len(bad)} serious/critical axe violation(s)\n"
                + format_violations(bad),
                pytrace=False,
            )
        return violations

    return check


@pytest.fixture(name="login")
def login_fixture() -> Callable[..., None]:
    """`login(page, username)`: log in through the real form as a demo persona."""
    return login


@pytest.fixture(name="logout")
def logout_fixture() -> Callable[[Any], None]:
    return logout


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def scroll_width(page: Any) -> tuple[int, int]:
    """(document scroll width, viewport width): equal when nothing scrolls sideways."""
    sizes = page.evaluate(
        "() => [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), window.innerWidth]"
    )
    return int(sizes[0]), int(sizes[1])


@pytest.fixture(name="scroll_width")
def scroll_width_fixture() -> Callable[[Any], tuple[int, int]]:
    return scroll_width
