"""A stand-in for a subscriber's webhook receiver (a regulator's system), for the demo and the
tests (stdlib http.server, no Django).

    python -m yiwang.exchange.devreceiver --port 8032 --secret whsec_… --record hooks.jsonl [--max-age 300]
    python -m yiwang.exchange.devreceiver --port 8032 --secret-file var/demo-api-client.json --record …

(--secret-file: a JSON file with "webhook_secret", as `yiwang load_demo` writes it, or the
secret alone as text.)

It receives what `exchange.delivery` pushes: POST <any path> with a JSON body and the
`X-Yiwang-Timestamp` / `X-Yiwang-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." +
body)>` headers. A valid signature (and, with --max-age > 0, a timestamp at most that many
seconds from now) is answered 200 and the delivery appended to --record as one JSON line
{delivery, event, timestamp, body}; a redelivery of an id already recorded is answered 200
and not recorded again (the idempotency id). A bad or missing signature is answered 401.

For tests it can be told to misbehave: POST /_control with {"fail_next": N, "status": 503}
(the next N deliveries answer that status), {"down": true} / {"down": false} (every delivery
answers 503 until told otherwise), {"reset": true}. The answer says how many deliveries were
received and recorded.
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MAX_BODY = 256 * 1024


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Whether `header` is the signature of `timestamp.body` under `secret`."""
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


class Receiver:
    def __init__(self, secret: str, record: Path, max_age: int) -> None:
        self.secret = secret
        self.record = record
        self.max_age = max_age
        self.lock = threading.Lock()
        self.received = 0
        self.seen: set[str] = set()
        if record.exists():
            for line in record.read_text(encoding="utf-8").splitlines():
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    self.seen.add(json.loads(line)["delivery"])
        self.reset()

    def reset(self) -> None:
        self.fail_next, self.fail_status, self.down = 0, 503, False

    def control(self, order: dict[str, Any]) -> None:
        with self.lock:
            if order.get("reset"):
                self.reset()
            self.fail_next = int(order.get("fail_next", self.fail_next))
            self.fail_status = int(order.get("status", self.fail_status))
            self.down = bool(order.get("down", self.down))

    def take(self) -> int:
        """The status to fail this delivery with, or 0."""
        with self.lock:
            self.received += 1
            if self.down:
                return 503
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status
            return 0

    def store(self, delivery: str, event: str, timestamp: str, body: bytes) -> bool:
        """Record a verified delivery once; False if its id was recorded before."""
        with self.lock:
            if delivery in self.seen:
                return False
            self.seen.add(delivery)
            line = {"delivery": delivery, "event": event, "timestamp": timestamp, "body": json.loads(body)}
            with self.record.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            return True


def handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write("devreceiver: " + format % args + "\n")

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._answer(413, {"error": "body too large"})
            body = self.rfile.read(length)
            if self.path == "/_control":
                try:
                    receiver.control(json.loads(body or b"{}"))
                except (ValueError, TypeError):
                    return self._answer(400, {"error": "bad control order"})
                return self._answer(200, {"ok": True, "received": receiver.received, "recorded": len(receiver.seen)})
            status = receiver.take()
            if status:
                return self._answer(status, {"error": "told to fail"})
            timestamp = self.headers.get("X-Yiwang-Timestamp", "")
            if not verify(receiver.secret, timestamp, body, self.headers.get("X-Yiwang-Signature", "")):
                return self._answer(401, {"error": "bad signature"})
            if receiver.max_age and (not timestamp.isdigit() or abs(time.time() - int(timestamp)) > receiver.max_age):
                return self._answer(401, {"error": "stale timestamp"})
            try:
                fresh = receiver.store(
                    self.headers.get("X-Yiwang-Delivery", ""), self.headers.get("X-Yiwang-Event", ""), timestamp, body
                )
            except ValueError:
                return self._answer(400, {"error": "body is not JSON"})
            return self._answer(200, {"ok": True, "duplicate": not fresh})

    return Handler


def read_secret(path: Path) -> str:
    text = path.read_text(encoding="utf-8").strip()
    with contextlib.suppress(ValueError, TypeError, KeyError):
        return str(json.loads(text)["webhook_secret"])
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local stand-in webhook receiver recording verified deliveries")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8032)
    secret = parser.add_mutually_exclusive_group(required=True)
    secret.add_argument("--secret", help="the client's webhook secret (whsec_…)")
    secret.add_argument("--secret-file", type=Path, help='a JSON file with "webhook_secret", or the secret as text')
    parser.add_argument("--record", required=True, type=Path, help="JSON lines file of verified deliveries")
    parser.add_argument("--max-age", type=int, default=300, help="seconds a timestamp may be off (0: not checked)")
    args = parser.parse_args(argv)
    args.record.parent.mkdir(parents=True, exist_ok=True)
    args.record.touch()
    receiver = Receiver(args.secret or read_secret(args.secret_file), args.record, args.max_age)
    server = ThreadingHTTPServer((args.host, args.port), handler_for(receiver))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"devreceiver: listening on http://{args.host}:{args.port}/, recording to {args.record}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
