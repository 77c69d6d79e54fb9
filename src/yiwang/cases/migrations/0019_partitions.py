# Monthly partitions of the case events and the staff access log (PostgreSQL only; ADR 0034).

from django.db import migrations

from yiwang.ledger.partitions import partition_operation


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("cases", "0018_caseevidence_data_read_unconstrained"),
        # rulehit.trigger pointed into cases_caseevent with a database constraint.
        ("supervision", "0009_rulehit_trigger_unconstrained"),
    ]

    operations = [
        partition_operation("cases_caseevent", "at"),
        partition_operation("cases_caseaccesslog", "at"),
    ]
