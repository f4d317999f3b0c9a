# The safe rewrite of applyproj's 0003: the index is built CONCURRENTLY,
# outside a transaction (atomic = False), so writes continue.
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0002_item_sku")]
    operations = [
        AddIndexConcurrently(model_name="item", index=models.Index(fields=["name"], name="shop_item_name_idx")),
    ]
