"""The table of the one-box shared cache (homefront.core.cache.DatabaseCache), made by
migrate on every database, the test databases included, whatever cache is configured,
so switching HOMEFRONT_CACHE_URL off later needs no extra command. Not a model: it holds
no household's data, and Django's createcachetable knows its columns."""

from django.core.management import call_command
from django.db import migrations

TABLE = "homefront_cache"


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
