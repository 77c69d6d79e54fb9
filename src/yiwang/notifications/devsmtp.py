"""A real local SMTP server for the demo and the tests: aiosmtpd, storing mail in a Maildir.

    python -m yiwang.notifications.devsmtp --port 8025 --maildir /path/to/mail

It accepts every message (no authentication, no TLS: it listens on 127.0.0.1 only) and
files it as one file per message under <maildir>/new, where the demo's operator can open it
with any mail reader (`mutt -f <maildir>`) and tests read it back with `read_maildir`. The
platform reaches it through Django's SMTP backend exactly as it reaches a production server.
"""

import argparse
import email
import email.policy
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredMail:
    sender: str
    to: list[str]
    subject: str  # decoded
    body: str  # decoded text of the (first) text/plain part
    message_id: str


def read_maildir(path: Path | str) -> list[StoredMail]:
    """Every message the server stored, oldest first, headers and body decoded."""
    folder = Path(path)
    if not (folder / "new").is_dir():
        return []
    found: list[tuple[float, StoredMail]] = []
    for item in (folder / "new").iterdir():
        parsed = email.message_from_bytes(item.read_bytes(), policy=email.policy.default)
        part = parsed.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""  # type: ignore[attr-defined]
        found.append(
            (
                item.stat().st_mtime,
                StoredMail(
                    sender=str(parsed.get("From", "")),
                    to=[str(a) for a in parsed.get_all("To", [])],
                    subject=str(parsed.get("Subject", "")),
                    body=body,
                    message_id=str(parsed.get("Message-ID", "")),
                ),
            )
        )
    return [mail for _, mail in sorted(found, key=lambda pair: pair[0])]


def main(argv: list[str] | None = None) -> int:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    parser = argparse.ArgumentParser(description="Local SMTP server (aiosmtpd) storing mail in a Maildir")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", required=True, type=Path)
    args = parser.parse_args(argv)
    args.maildir.parent.mkdir(parents=True, exist_ok=True)
    for sub in ("tmp", "new", "cur"):  # what mailbox.Maildir(create=True) makes, also in an existing folder
        (args.maildir / sub).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(args.maildir), hostname=args.host, port=args.port)
    controller.start()
    print(f"devsmtp: listening on {args.host}:{args.port}, mail stored in {args.maildir}/new", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
