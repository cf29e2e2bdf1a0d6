import django.db.models.deletion
from django.db import migrations, models


def fill_household(apps, schema_editor):
    JournalEntry = apps.get_model("journal", "JournalEntry")
    Trip = apps.get_model("trips", "Trip")
    for trip_id, household_id in Trip.objects.values_list("pk", "household_id").iterator():
        JournalEntry.objects.filter(trip_id=trip_id).update(household_id=household_id)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0001_initial"),
        ("journal", "0001_initial"),
        ("trips", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="journalentry",
            name="household",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="households.household",
            ),
        ),
        migrations.RunPython(fill_household, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="journalentry",
            name="household",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="households.household",
            ),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["household", "-occurred_at", "-id"],
                name="journal_household_alive",
            ),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(
                fields=["household", "kind", "-occurred_at"], name="journal_jou_househo_a1bd37_idx"
            ),
        ),
    ]
