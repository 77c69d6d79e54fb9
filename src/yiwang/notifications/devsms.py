"""A local stand-in SMS gateway for the demo and the tests (stdlib http.server).

    python -m yiwang.notifications.devsms --port 8026 --record sms.jsonl [--api-key KEY]

It speaks the protocol `channels.HttpSmsChannel` sends: POST /send with JSON
{phone, text, template?} and `Authorization: Bearer <key>` when a key is set. It answers
200 {"id": "dev-N"} and appends the message as one JSON line to the --record file. A send
that repeats an earlier one's `Idempotency-Key` header is answered with that one's id and not
recorded (nor sent) again, as gateways with de-duplication do.

For tests it can be told to misbehave: POST /_control {"fail_next": N, "status": 503} makes
the next N sends answer with that status; {"delay_next": N, "seconds": S} makes them wait
first (a timeout seen from the platform). A failure answer echoes the phone number, as real
gateways do; a 3xx status carries a Location back to /send. A phone that is not 11 digits gets a 400, like a
real gateway's validation.
"""

import argparse
import contextlib
import json
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PHONE = re.compile(r"^1\d{10}$")


class Gateway:
    def __init__(self, record: Path, api_key: str) -> None:
        self.record = record
        self.api_key = api_key
        self.lock = threading.Lock()
        self.count = 0
        self.fail_next = 0
        self.fail_status = 503
        self.delay_next = 0
        self.delay_seconds = 0.0
        self.seen: dict[str, str] = {}  # Idempotency-Key -> the id it was given

    def control(self, order: dict[str, Any]) -> None:
        with self.lock:
            self.fail_next = int(order.get("fail_next", self.fail_next))
            self.fail_status = int(order.get("status", self.fail_status))
            self.delay_next = int(order.get("delay_next", self.delay_next))
            self.delay_seconds = float(order.get("seconds", self.delay_seconds))

    def take(self) -> tuple[int, float]:
        """The status to fail with (0: none) and the delay for this request."""
        with self.lock:
            delay = 0.0
            if self.delay_next > 0:
                self.delay_next -= 1
                delay = self.delay_seconds
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, delay
            return 0, delay

    def store(self, payload: dict[str, Any], key: str = "") -> str:
        with self.lock:
            if key and key in self.seen:
                sys.stderr.write(f"devsms: repeated Idempotency-Key {key}: not sent again\n")
                return self.seen[key]
            self.count += 1
            ident = f"dev-{self.count}"
            with self.record.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"id": ident, **payload}, ensure_ascii=False) + "\n")
            if key:
                self.seen[key] = ident
            return ident


def handler_for(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write("devsms: " + format % args + "\n")

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            if 300 <= status < 400:  # told to redirect: to itself, as a moved gateway would
                self.send_header("Location", "/send")
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self._answer(400, {"error": "body is not JSON"})
            if self.path == "/_control":
                gateway.control(payload)
                return self._answer(200, {"ok": True})
            if self.path != "/send":
                return self._answer(404, {"error": "unknown path"})
            if gateway.api_key and self.headers.get("Authorization") != f"Bearer {gateway.api_key}":
                return self._answer(401, {"error": "bad api key"})
            status, delay = gateway.take()
            if delay:
                time.sleep(delay)
            if status:
                # Real gateways echo the number they failed for; the platform must mask it.
                return self._answer(status, {"error": f"told to fail for {payload.get('phone', '')}"})
            if not isinstance(payload, dict) or not PHONE.match(str(payload.get("phone", ""))):
                return self._answer(400, {"error": "phone must be 11 digits"})
            if not str(payload.get("text", "")).strip():
                return self._answer(400, {"error": "text is empty"})
            return self._answer(200, {"id": gateway.store(payload, self.headers.get("Idempotency-Key", "")[:100])})

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local stand-in SMS gateway recording messages to a file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--record", required=True, type=Path, help="JSON lines file of received messages")
    parser.add_argument("--api-key", default="")
    args = parser.parse_args(argv)
    args.record.parent.mkdir(parents=True, exist_ok=True)
    args.record.touch()
    server = ThreadingHTTPServer((args.host, args.port), handler_for(Gateway(args.record, args.api_key)))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"devsms: listening on http://{args.host}:{args.port}/send, messages recorded in {args.record}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
