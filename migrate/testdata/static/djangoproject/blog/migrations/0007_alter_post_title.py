from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0006_rename_summary_excerpt")]
    operations = [
        migrations.AlterField(model_name="post", name="title", field=models.CharField(max_length=300)),
    ]
