import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def every_household_with_a_channel_is_due(apps, schema_editor):
    """Planned at the worker's first round, as every round did before the schedule."""
    Channel = apps.get_model("notify", "Channel")
    Schedule = apps.get_model("notify", "Schedule")
    now = timezone.now()
    households = Channel.objects.values_list("household_id", flat=True).distinct()
    Schedule.objects.bulk_create(
        (Schedule(household_id=pk, next_plan_at=now) for pk in households.iterator()),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0003_child_health_reviewed_at_and_more"),
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Schedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("next_plan_at", models.DateTimeField(blank=True, null=True)),
                ("claimed_by", models.CharField(blank=True, max_length=64)),
                (
                    "household",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notify_schedule",
                        to="households.household",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("next_plan_at__isnull", False)),
                        fields=["next_plan_at"],
                        name="notify_schedule_due",
                    )
                ],
            },
        ),
        migrations.RunPython(every_household_with_a_channel_is_due, migrations.RunPython.noop),
    ]
