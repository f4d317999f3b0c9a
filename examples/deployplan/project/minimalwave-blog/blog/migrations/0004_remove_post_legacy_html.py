from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("blog", "0003_post_slug"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="post",
            name="legacy_html",
        ),
    ]
