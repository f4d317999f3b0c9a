from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("blog", "0011_backfill_excerpt")]
    operations = [
        AddIndexConcurrently(model_name="post", index=models.Index(fields=["views"], name="blog_post_views_idx")),
    ]
