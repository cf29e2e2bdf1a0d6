from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("households", "0004_phone_tree_without_shared_places")]

    operations = [
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                fields=("household", "backup_order"), name="contact_one_place_in_phone_tree"
            ),
        ),
    ]
