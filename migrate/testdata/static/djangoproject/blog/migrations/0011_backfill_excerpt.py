from django.db import migrations


def fill_excerpt(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    Post.objects.filter(excerpt="").update(excerpt="-")


class Migration(migrations.Migration):
    dependencies = [("blog", "0010_delete_tag")]
    operations = [
        migrations.RunPython(fill_excerpt),
        migrations.RunSQL("UPDATE blog_post SET views = 0", reverse_sql=migrations.RunSQL.noop),
    ]
