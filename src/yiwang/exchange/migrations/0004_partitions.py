# Monthly partitions of the shared-data read log (PostgreSQL only; ADR 0034).

from django.db import migrations

from yiwang.ledger.partitions import partition_operation


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0003_api_clients"),
        # caseevidence.data_read pointed into exchange_dataread with a database constraint.
        ("cases", "0018_caseevidence_data_read_unconstrained"),
    ]

    operations = [partition_operation("exchange_dataread", "at")]
