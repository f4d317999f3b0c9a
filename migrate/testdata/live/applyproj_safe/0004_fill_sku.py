# A data migration: RunPython is named in the plan and refused unless
# -allow-python; then Django runs it.
from django.db import migrations


def fill(apps, schema_editor):
    Item = apps.get_model("shop", "Item")
    Item.objects.filter(sku__isnull=True).update(sku="none")


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_item_name_idx")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
