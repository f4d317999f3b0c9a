from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),  # the table
    ]
    operations = [
        migrations.RunSQL("ALTER TABLE blog_post ADD COLUMN views int", "ALTER TABLE blog_post DROP COLUMN views"),
    ]
