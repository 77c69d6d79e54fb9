# Monthly partitions of the outbox / inbox messages (PostgreSQL only; ADR 0034).

from django.db import migrations

from yiwang.ledger.partitions import partition_operation


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_message_secret")]

    operations = [partition_operation("notifications_message", "created_at")]
