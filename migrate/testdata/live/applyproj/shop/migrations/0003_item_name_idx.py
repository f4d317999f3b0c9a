# Dangerous on a live table: AddIndex is CREATE INDEX inside the migration's
# transaction, a SHARE lock that blocks writes for the whole build.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_item_sku")]
    operations = [
        migrations.AddIndex(model_name="item", index=models.Index(fields=["name"], name="shop_item_name_idx")),
    ]
