# The 帮办 lookup limit counts a helper's searches of the last ten minutes from the log.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_partitions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assistedlookup",
            index=models.Index(fields=["helper", "-at"], name="assisted_lookup_helper"),
        ),
    ]
