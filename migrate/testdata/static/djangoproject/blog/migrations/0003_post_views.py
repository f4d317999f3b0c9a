from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_post_summary")]
    operations = [
        migrations.AddField(model_name="post", name="views", field=models.IntegerField(default=0)),
    ]
