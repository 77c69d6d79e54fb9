"""A stand-in for another department's data system (市场监管 registry, 公安 户籍), for the
demo and the tests (stdlib http.server, no Django).

    python -m yiwang.exchange.devprovider --port 8031 --records records.json [--api-key KEY]

It speaks the protocol `providers.HttpProvider` sends:

    GET /records/<resource code>/<subject id>?fields=a,b   Authorization: Bearer <key>
    200 {"record": {"a": …, "b": …}}   404 {"error": "no record"}   401 bad key

`records.json` holds `{resource code: {subject id: {field: value}}}`; only the fields asked
for are answered. For tests it can be told to misbehave: POST /_control with
{"fail_next": N, "status": 503} (the next N reads answer that status), {"delay_next": N,
"seconds": S} (wait first: a timeout seen from the platform), {"garbage_next": N} (answer
200 with a body that is not what the resource declares), {"reset": true}.
"""

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Registry:
    def __init__(self, records: Path, api_key: str) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = json.loads(records.read_text(encoding="utf-8"))
        self.api_key = api_key
        self.lock = threading.Lock()
        self.reads = 0
        self.reset()

    def reset(self) -> None:
        self.fail_next, self.fail_status, self.delay_next, self.delay_seconds, self.garbage_next = 0, 503, 0, 0.0, 0

    def control(self, order: dict[str, Any]) -> None:
        with self.lock:
            if order.get("reset"):
                self.reset()
            self.fail_next = int(order.get("fail_next", self.fail_next))
            self.fail_status = int(order.get("status", self.fail_status))
            self.delay_next = int(order.get("delay_next", self.delay_next))
            self.delay_seconds = float(order.get("seconds", self.delay_seconds))
            self.garbage_next = int(order.get("garbage_next", self.garbage_next))

    def take(self) -> tuple[int, float, bool]:
        """(status to fail with or 0, delay, answer garbage) for this read."""
        with self.lock:
            self.reads += 1
            delay = 0.0
            if self.delay_next > 0:
                self.delay_next -= 1
                delay = self.delay_seconds
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, delay, False
            if self.garbage_next > 0:
                self.garbage_next -= 1
                return 0, delay, True
            return 0, delay, False


def handler_for(registry: Registry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write("devprovider: " + format % args + "\n")

        def _answer(self, status: int, body: Any) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
            if self.path != "/_control":
                return self._answer(404, {"error": "unknown path"})
            try:
                registry.control(json.loads(self.rfile.read(length) or b"{}"))
            except (ValueError, TypeError):
                return self._answer(400, {"error": "bad control order"})
            return self._answer(200, {"ok": True, "reads": registry.reads})

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "records":
                return self._answer(404, {"error": "unknown path"})
            if registry.api_key and self.headers.get("Authorization") != f"Bearer {registry.api_key}":
                return self._answer(401, {"error": "bad api key"})
            status, delay, garbage = registry.take()
            if delay:
                time.sleep(delay)
            if status:
                return self._answer(status, {"error": "told to fail"})
            resource, subject = urllib.parse.unquote(parts[1]), urllib.parse.unquote(parts[2])
            record = registry.records.get(resource, {}).get(subject)
            if record is None:
                return self._answer(404, {"error": "no record"})
            fields = [f for f in urllib.parse.parse_qs(url.query).get("fields", [""])[0].split(",") if f]
            if garbage:
                return self._answer(200, {"record": {field: ["not", "a", "value"] for field in fields or record}})
            return self._answer(200, {"record": {f: record[f] for f in (fields or record) if f in record}})

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local stand-in for another department's data system")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--records", required=True, type=Path, help="JSON {resource: {subject id: record}}")
    parser.add_argument("--api-key", default="")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), handler_for(Registry(args.records, args.api_key)))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"devprovider: listening on http://{args.host}:{args.port}/records/, records from {args.records}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
