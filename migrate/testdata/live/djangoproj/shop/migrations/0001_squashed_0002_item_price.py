from django.db import migrations


class Migration(migrations.Migration):
    replaces = [
        ("store", "0001_initial"),
        ("store", "0002_item_price"),
    ]
    initial = True
    dependencies = []
    operations = [
        migrations.RunSQL("CREATE TABLE shop_item (id serial PRIMARY KEY, price int)", "DROP TABLE shop_item"),
    ]
