"""Stock history refuses UPDATE and DELETE at the database, so even raw SQL cannot rewrite it."""

from django.db import migrations

from execora.append_only import protect_tables

forward, backward = protect_tables("products_stockmovement")


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
