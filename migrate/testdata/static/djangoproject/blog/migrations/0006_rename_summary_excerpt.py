from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("blog", "0005_remove_post_body")]
    operations = [
        migrations.RenameField(model_name="post", old_name="summary", new_name="excerpt"),
    ]
