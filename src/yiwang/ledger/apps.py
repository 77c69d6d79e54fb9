from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "yiwang.ledger"
    verbose_name = "区块链账本"
