"""`yiwang exchange_client`: register, suspend, resume and list API clients (docs/exchange.md).

    yiwang exchange_client register --steward jn_market_data --department 济南市市场监督管理局 \\
        --name 食品安全监管系统 [--scope exchange.read --scope exchange.subscribe]
    yiwang exchange_client suspend --steward jn_market_data --client 3 --reason …
    yiwang exchange_client resume --steward jn_market_data --client 3 --reason …
    yiwang exchange_client list

`register` prints the client id, the client secret and the webhook secret: the only time the
secrets are shown (the OAuth secret is hashed at rest). Each verb is the service the
workbench's 接口客户端 pages call, with the steward as the actor (the policy checks their role).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.accounts.models import Department, User
from yiwang.core.errors import DomainError
from yiwang.exchange import clients
from yiwang.exchange.client_models import Scope


class Command(BaseCommand):
    help = "Register, suspend, resume or list the API clients of other systems (OAuth 2.0 client credentials)."

    def add_arguments(self, parser: Any) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        register = verbs.add_parser("register", help="register a client; prints its secrets once")
        register.add_argument("--steward", required=True, help="username of a data steward of the department")
        register.add_argument("--department", required=True, help="the consuming department (name)")
        register.add_argument("--name", required=True, help="the client's name, e.g. 食品安全监管系统")
        register.add_argument("--scope", action="append", choices=Scope.values, help="repeatable; default: all")
        for name in ("suspend", "resume"):
            move = verbs.add_parser(name, help=f"{name} a client")
            move.add_argument("--steward", required=True)
            move.add_argument("--client", required=True, type=int, help="the client's number (see list)")
            move.add_argument("--reason", required=True)
        verbs.add_parser("list", help="list every client")

    def handle(self, *args: Any, verb: str, **options: Any) -> None:
        try:
            getattr(self, f"_{verb}")(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _steward(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        return user

    def _register(self, *, steward: str, department: str, name: str, scope: list[str] | None, **_: Any) -> None:
        found = Department.objects.filter(name=department).first()
        if found is None:
            raise CommandError(f"没有部门 {department}")
        registered = clients.client_register(
            actor=self._steward(steward), department=found, name=name, scopes=scope or list(Scope.values)
        )
        self.stdout.write(f"接口客户端 {registered.client.pk}：{found.name} · {registered.client.name}")
        self.stdout.write(f"client_id      {registered.client_id}")
        self.stdout.write(f"client_secret  {registered.client_secret}")
        self.stdout.write(f"webhook_secret {registered.webhook_secret}")
        self.stdout.write("以上密钥仅显示这一次，请妥善交给对方系统。令牌地址：POST /api/v1/oauth/token")

    def _suspend(self, *, steward: str, client: int, reason: str, **_: Any) -> None:
        moved = clients.client_suspend(actor=self._steward(steward), client_id=client, reason=reason)
        self.stdout.write(f"接口客户端 {moved.pk} 已暂停（其访问令牌已作废）")

    def _resume(self, *, steward: str, client: int, reason: str, **_: Any) -> None:
        moved = clients.client_resume(actor=self._steward(steward), client_id=client, reason=reason)
        self.stdout.write(f"接口客户端 {moved.pk} 已恢复")

    def _list(self, **_: Any) -> None:
        for client in clients.clients_of(list(Department.objects.values_list("pk", flat=True))):
            self.stdout.write(
                f"{client.pk:>4}  {client.get_status_display():<4} {client.department.name} · {client.name}  "
                f"{client.application.client_id}  {' '.join(client.scopes)}"
            )
