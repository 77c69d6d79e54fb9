"""`yiwang ledger integrate|audit|keygen|key`: operate the Merkle log."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.ledger.audit import audit_extensions, ledger_audit
from yiwang.ledger.config import log_origin
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.note import generate_key
from yiwang.ledger.selectors import verifier_key


class Command(BaseCommand):
    help = "Operate the ledger: integrate pending entries, audit the whole log, make or show keys."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["integrate", "audit", "keygen", "key"])
        parser.add_argument("--algorithm", choices=["ed25519", "sm2"], default="ed25519")
        parser.add_argument("--name", help="keygen for another signer, e.g. <host>/license (the e-license issuer)")
        parser.add_argument(
            "--archive", type=Path, help="audit: also re-read the archived months from this directory (ADR 0034)"
        )

    def handle(self, *args: Any, action: str, algorithm: str, name: str | None = None, **options: Any) -> None:
        if action == "integrate":
            self.stdout.write(f"integrated {ledger_integrate()} entries")
        elif action == "key":
            self.stdout.write(verifier_key())
        elif action == "keygen":
            skey, vkey = generate_key(name or log_origin().replace(" ", "_"), algorithm)
            variable = "YIWANG_LICENSE_SIGNING_KEY" if name else "LEDGER_SIGNING_KEY"
            self.stdout.write(f"{variable}={skey}\n# public verifier key (publish it):\n{vkey}")
        else:
            self._audit(options.get("archive"))

    def _audit(self, archive: Path | None) -> None:
        """The log, then every registered extension (their figures are tied to the log)."""
        report = ledger_audit(archive_dir=archive)
        self.stdout.write(f"entries {report.entries}, nodes {report.nodes}, checkpoints {report.checkpoints}")
        for line in report.info:
            self.stdout.write(f"  ℹ {line}")
        failed = len(report.problems)
        for problem in report.problems:
            self.stderr.write(f"  ✗ {problem}")
        if report.clean:
            self.stdout.write("ledger audit clean: every entry, node and checkpoint matches")
        for extension in audit_extensions():
            found = extension()
            self.stdout.write(f"{found.title}: {found.checked}")
            for line in found.info:
                self.stdout.write(f"  ℹ {line}")
            for problem in found.problems:
                self.stderr.write(f"  ✗ {problem}")
            failed += len(found.problems)
        if failed:
            raise CommandError(f"ledger audit FAILED: {failed} problem(s)")
