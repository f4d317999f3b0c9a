from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("blog", "0009_alter_post_slug")]
    operations = [
        migrations.DeleteModel(name="Tag"),
    ]
