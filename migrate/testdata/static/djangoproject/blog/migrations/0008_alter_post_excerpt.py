from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0007_alter_post_title")]
    operations = [
        migrations.AlterField(model_name="post", name="excerpt", field=models.CharField(max_length=200)),
    ]
