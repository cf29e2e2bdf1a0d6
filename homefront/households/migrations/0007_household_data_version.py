from django.db import migrations, models

import homefront.households.models


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0006_sensitive_notes_help"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="data_version",
            field=models.BigIntegerField(
                default=homefront.households.models.new_data_version, editable=False
            ),
        ),
    ]
