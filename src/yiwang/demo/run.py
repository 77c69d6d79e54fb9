"""Start the platform the way `make demo` does: the WSGI server and the worker, together.

The web tier is granian in WSGI mode (ADR 0002); the worker is `yiwang worker`. Both are
child processes; Ctrl-C or SIGTERM stops both, and if either dies the other is stopped.

Unless the environment already names a mail server (EMAIL_HOST) or an SMS gateway
(SMS_GATEWAY_URL), the demo also starts the local ones the project ships and points the
e-mail and SMS channels at them: `yiwang.notifications.devsmtp` (a real SMTP server,
aiosmtpd) filing every mail under <YIWANG_DATA_DIR>/mail/new, and
`yiwang.notifications.devsms` recording every SMS in <YIWANG_DATA_DIR>/sms.jsonl. Both paths
are printed at start; `--no-local-mail` keeps the log-only channels instead.

Unless EXCHANGE_SYSTEMS names real provider systems, it also starts the stand-in one
(`yiwang.exchange.devprovider`: 市场监管's register and 户籍, from the records `load_demo`
wrote to <YIWANG_DATA_DIR>/exchange/records.json), with a fresh API key, and the demo
regulator's webhook receiver (`yiwang.exchange.devreceiver`). Unless OIDC_ISSUER names a
real identity platform, it starts the stand-in one (`yiwang.accounts.devoidc`) with yiwang
registered as its client, so the login page offers 统一身份认证登录. Helpers may stop
(a provider that goes down is part of the demo); web and worker may not.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from yiwang.core.identifiers import resident_id_check_char
from yiwang.demo.cities import DEMO_CITIES, city_notes

DEMO_PLATFORM_PASSWORD = "Tyrz-demo-2026"  # noqa: S105 - the stand-in identity platform's demo users only


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def local_delivery(env: dict[str, str], data_dir: Path) -> tuple[list[list[str]], list[str]]:
    """The local SMTP server and SMS gateway to start (commands), with `env` pointed at them,
    and the lines that tell the demo's operator where the mail and SMS land."""
    commands: list[list[str]] = []
    notes: list[str] = []
    if not env.get("EMAIL_HOST"):
        port = _free_port("127.0.0.1")
        maildir = data_dir / "mail"
        commands.append(
            [sys.executable, "-m", "yiwang.notifications.devsmtp", "--port", str(port), "--maildir", str(maildir)]
        )
        env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_USE_TLS="0", EMAIL_USE_SSL="0")
        env.setdefault("NOTIFICATION_EMAIL_CHANNEL", "yiwang.notifications.channels.EmailChannel")
        notes.append(
            f"演示邮件服务器 127.0.0.1:{port}，收到的邮件存放在 {maildir}"
            f"（Maildir，每封一个文件，在 new/ 下；可用 mutt -f {maildir} 阅读）"
        )
    if not env.get("SMS_GATEWAY_URL"):
        port = _free_port("127.0.0.1")
        record = data_dir / "sms.jsonl"
        commands.append(
            [sys.executable, "-m", "yiwang.notifications.devsms", "--port", str(port), "--record", str(record)]
        )
        env["SMS_GATEWAY_URL"] = f"http://127.0.0.1:{port}/send"
        env.setdefault("NOTIFICATION_SMS_CHANNEL", "yiwang.notifications.channels.HttpSmsChannel")
        notes.append(f"演示短信网关 http://127.0.0.1:{port}/send，收到的短信记录在 {record}")
    return commands, notes


def local_registry(env: dict[str, str], data_dir: Path) -> tuple[list[list[str]], list[str]]:
    """The stand-in provider system (市场监管's register, 公安's 户籍: yiwang.exchange.devprovider)
    serving the records `load_demo` wrote, with `env` pointed at it — unless EXCHANGE_SYSTEMS
    names real systems or there are no records."""
    records = data_dir / "exchange" / "records.json"
    if env.get("EXCHANGE_SYSTEMS") or not records.exists():
        return [], []
    port, key = _free_port("127.0.0.1"), secrets.token_urlsafe(24)
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "yiwang.exchange.devprovider", "--port", str(port), "--records", str(records)]
    env["EXCHANGE_SYSTEMS"] = json.dumps({name: {"url": url, "key": key} for name in ("scjg-register", "gaj-hukou")})
    note = f"演示数据共享提供系统（市场主体登记、户籍）{url}/records/，数据来自 {records}"
    return [[*command, f"--api-key={key}"]], [note]  # one argument: the key may begin with "-"


def local_receiver(env: dict[str, str], data_dir: Path) -> tuple[list[list[str]], list[str]]:
    """The demo regulator's webhook receiver (yiwang.exchange.devreceiver), checking signatures
    with the secret `load_demo` wrote, on the port its subscription names."""
    secret = data_dir / "demo-api-client.json"
    if not secret.exists():
        return [], []
    port = env.get("YIWANG_DEMO_RECEIVER_PORT", "8032")
    record = data_dir / "webhooks.jsonl"
    command = [sys.executable, "-m", "yiwang.exchange.devreceiver", "--port", port, "--secret-file", str(secret)]
    note = f"演示推送接收端 http://127.0.0.1:{port}/webhooks/yiwang，收到的推送记录在 {record}"
    return [[*command, "--record", str(record)]], [note]


def local_identity_platform(
    env: dict[str, str], data_dir: Path, host: str, port: int
) -> tuple[list[list[str]], list[str]]:
    """The stand-in unified identity platform (yiwang.accounts.devoidc) with yiwang registered
    as its client and `env` pointed at it — unless OIDC_ISSUER names a real one. Its users:
    zhangsan (the demo's 张三, same 居民身份证号) and zhaoxin (赵新, nobody here yet)."""
    if env.get("OIDC_ISSUER"):
        return [], []
    platform_port, secret = _free_port("127.0.0.1"), secrets.token_urlsafe(24)
    sites = [f"http://{host}:{port}", f"http://localhost:{port}"] + [f"http://{h}:{port}" for _, h, _ in DEMO_CITIES]
    users = [
        ("zhangsan", "tyrz-zhangsan", "张三", "13800000001", "37010219900307123"),
        ("zhaoxin", "tyrz-zhaoxin", "赵新", "13912345678", "37010219950815234"),
    ]
    config = {
        "users": [
            {
                "username": username,
                "password": DEMO_PLATFORM_PASSWORD,
                "sub": sub,
                "name": name,
                "phone_number": phone,
                "id_number": body + resident_id_check_char(body),
            }
            for username, sub, name, phone, body in users
        ],
        "clients": [
            {
                "client_id": "yiwang-demo",
                "client_secret": secret,
                "redirect_uris": [f"{site}/accounts/oidc/callback/" for site in sites],
                "post_logout_redirect_uris": [f"{site}/" for site in sites],
            }
        ],
    }
    users_file = data_dir / "oidc" / "users.json"
    users_file.parent.mkdir(parents=True, exist_ok=True)
    users_file.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    users_file.chmod(0o600)
    issuer = f"http://127.0.0.1:{platform_port}"
    env.update(OIDC_ISSUER=issuer, OIDC_CLIENT_ID="yiwang-demo", OIDC_CLIENT_SECRET=secret)
    command = [
        sys.executable,
        "-m",
        "yiwang.accounts.devoidc",
        "--port",
        str(platform_port),
        "--users",
        str(users_file),
    ]
    note = (
        f"演示统一身份认证平台 {issuer}：登录页点“统一身份认证登录”，"
        f"用户 zhangsan（张三，已有账号）或 zhaoxin（赵新，首次登录自动建号），密码 {DEMO_PLATFORM_PASSWORD}"
    )
    return [command], [note]


def _fresh_metrics_dir(data_dir: Path) -> Path:
    """prometheus_client's multiprocess files: emptied at start (a file of an earlier run
    would add its counts to this one's)."""
    where = data_dir / "prometheus"
    where.mkdir(parents=True, exist_ok=True)
    for old in where.glob("*.db"):
        old.unlink()
    return where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run yiwang: web (granian, WSGI) + worker")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="web worker processes (about one per core)")
    parser.add_argument(
        "--no-local-mail", action="store_true", help="do not start the local SMTP server and SMS gateway"
    )
    args = parser.parse_args(argv)
    env = dict(os.environ)
    helpers: list[list[str]] = []
    notes: list[str] = []
    data_dir = Path(env.get("YIWANG_DATA_DIR") or Path.cwd() / "var").resolve()
    if not args.no_local_mail:
        helpers, notes = local_delivery(env, data_dir)
    for more, more_notes in (
        local_registry(env, data_dir),
        local_receiver(env, data_dir),
        local_identity_platform(env, data_dir, args.host, args.port),
    ):
        helpers, notes = helpers + more, notes + more_notes
    if args.workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in env:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(_fresh_metrics_dir(data_dir))  # /metrics merges the workers
    bin_dir = os.path.dirname(sys.executable)
    web = [
        os.path.join(bin_dir, "granian"),
        "--interface",
        "wsgi",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
        "--no-ws",
        # Sync Django holds a thread per request; a few per worker keep the CPU busy without
        # hundreds of idle threads (granian's default) competing for the GIL.
        "--blocking-threads",
        "8",
        "yiwang.config.wsgi:application",
    ]
    worker = [os.path.join(bin_dir, "yiwang"), "worker"]
    # Each child leads its own process group, so stopping it also stops granian's workers.
    # The mail server and gateway first, so the worker's first delivery finds them listening.
    procs = [subprocess.Popen(cmd, env=env, start_new_session=True) for cmd in helpers]  # noqa: S603 - our modules
    _registry_pid_file(env, helpers, procs)
    if any("yiwang.notifications.devsmtp" in cmd for cmd in helpers):
        _wait_listening(env)
    procs += [subprocess.Popen(cmd, env=env, start_new_session=True) for cmd in (web, worker)]  # noqa: S603 - our own executables
    print(
        f"yiwang 已启动：http://{args.host}:{args.port}/  （工作台 /workbench/，后台 /admin/，接口文档 /api/v1/docs）",
        flush=True,
    )
    for note in [*city_notes(args.host, args.port), *notes]:
        print(note, flush=True)

    def signal_all(sig: int) -> None:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)

    def stop(*_: object) -> None:
        signal_all(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:  # the platform runs while web and worker do (a helper may be stopped, as a real one can be)
        while all(proc.poll() is None for proc in procs[-2:]):
            time.sleep(0.5)
    finally:
        stop()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                signal_all(signal.SIGKILL)
    return max(proc.returncode or 0 for proc in procs)


def _registry_pid_file(env: dict[str, str], helpers: list[list[str]], procs: list[subprocess.Popen[bytes]]) -> None:
    """Where the stand-in registry runs (<data dir>/exchange/registry.json: url, pid), so a test
    can pause it like a provider that stops answering."""
    for command, proc in zip(helpers, procs, strict=True):
        if "yiwang.exchange.devprovider" in command:
            records = Path(command[command.index("--records") + 1])
            url = json.loads(env["EXCHANGE_SYSTEMS"])["scjg-register"]["url"]
            (records.parent / "registry.json").write_text(json.dumps({"url": url, "pid": proc.pid}))


def _wait_listening(env: dict[str, str], timeout: float = 15.0) -> None:
    """Wait until the local SMTP server accepts connections (the gateway binds at once)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((env["EMAIL_HOST"], int(env["EMAIL_PORT"])), 0.5):
            return
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
