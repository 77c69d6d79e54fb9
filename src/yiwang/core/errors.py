"""Domain errors every interface knows how to show.

A service raises these; the portal and workbench show `message` (Simplified Chinese) next to
`field`, the API turns them into RFC 9457 problem+json. Nothing is half-written: services
raise inside their transaction, so the whole change rolls back.
"""


class DomainError(Exception):
    """Base: a request the platform refuses, with a message for the person who made it."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule


class ValidationFailed(DomainError):
    """Input breaks a rule; `errors` maps each field to its messages."""

    status = 422
    code = "validation"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Gone(DomainError):
    """What was asked for existed but was moved out (an archived month of the ledger)."""

    status = 410
    code = "gone"


class Conflict(DomainError):
    """The state changed under the caller (another clerk acted first, a stale version)."""

    status = 409
    code = "conflict"


class TooManyAttempts(DomainError):
    """A limit on attempts was reached (guessing codes, searching people); try again later."""

    status = 429
    code = "throttled"
