from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("blog", "0004_post_title_idx")]
    operations = [
        migrations.RemoveField(model_name="post", name="body"),
    ]
