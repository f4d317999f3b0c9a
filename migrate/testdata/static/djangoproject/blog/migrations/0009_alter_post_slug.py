from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0008_alter_post_excerpt")]
    operations = [
        migrations.AlterField(model_name="post", name="slug", field=models.CharField(max_length=50, unique=True)),
    ]
