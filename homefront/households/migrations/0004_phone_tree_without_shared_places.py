"""Before no two contacts of a household may share a place in the phone tree: any that
do (two moves at once could leave them so) are numbered again, 1, 2, 3..., in the order
they were called until now (place, then the one added first)."""

from django.db import migrations
from django.db.models import Count


def renumber_shared_places(apps, schema_editor):
    Contact = apps.get_model("households", "Contact")
    shared = (
        Contact.objects.filter(backup_order__isnull=False)
        .values("household_id", "backup_order")
        .annotate(contacts=Count("id"))
        .filter(contacts__gt=1)
        .values_list("household_id", flat=True)
    )
    for household_id in set(shared):
        backups = Contact.objects.filter(household_id=household_id, backup_order__isnull=False)
        for position, contact in enumerate(backups.order_by("backup_order", "pk"), start=1):
            Contact.objects.filter(pk=contact.pk).update(backup_order=position)


class Migration(migrations.Migration):
    dependencies = [("households", "0003_child_health_reviewed_at_and_more")]

    operations = [migrations.RunPython(renumber_shared_places, migrations.RunPython.noop)]
