from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0003_post_views")]
    operations = [
        migrations.AddIndex(model_name="post", index=models.Index(fields=["title"], name="blog_post_title_idx")),
    ]
