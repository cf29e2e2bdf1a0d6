from django.db import migrations


def seed(apps, schema_editor):
    from homefront.prep.planning import DEFAULT_PACKING, DEFAULT_TEMPLATE

    Household = apps.get_model("households", "Household")
    TemplateItem = apps.get_model("prep", "TemplateItem")
    for household in Household.objects.filter(template_items__isnull=True):
        items = [
            TemplateItem(
                household=household,
                title=title,
                category=category,
                essential=essential,
                days_before=days_before,
                who=who,
                position=index,
                trip_kinds=["planned", "work", "short_notice"],
            )
            for index, (title, category, essential, days_before, who) in enumerate(DEFAULT_TEMPLATE)
        ]
        items += [
            TemplateItem(
                household=household,
                title=name,
                category="packing",
                essential=True,
                days_before=1,
                who="traveller",
                per_night=per_night,
                extra=extra,
                position=index,
                trip_kinds=["planned", "work", "short_notice"],
            )
            for index, (name, per_night, extra) in enumerate(DEFAULT_PACKING)
        ]
        TemplateItem.objects.bulk_create(items)


class Migration(migrations.Migration):
    dependencies = [("prep", "0001_initial"), ("households", "0002_household_prep_tasks_per_day")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
