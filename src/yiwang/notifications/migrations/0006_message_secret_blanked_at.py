# When a message's one-time secret was blanked: such a message is never sent again.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_partitions")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="secret_blanked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="保密片段抹去时间"),
        ),
    ]
