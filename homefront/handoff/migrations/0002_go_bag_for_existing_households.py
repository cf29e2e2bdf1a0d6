from django.db import migrations


def seed(apps, schema_editor):
    from homefront.handoff.models import DEFAULT_GO_BAG

    Household = apps.get_model("households", "Household")
    GoBagItem = apps.get_model("handoff", "GoBagItem")
    GoBagItem.objects.bulk_create(
        GoBagItem(household=household, name=name, position=index)
        for household in Household.objects.filter(go_bag__isnull=True)
        for index, name in enumerate(DEFAULT_GO_BAG)
    )


class Migration(migrations.Migration):
    dependencies = [("handoff", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
