from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('blog', '0002_post_views'), ("store", "0002_item_price")]
    operations = [
        migrations.RunSQL("ALTER TABLE blog_post ADD COLUMN rating int", "ALTER TABLE blog_post DROP COLUMN rating"),
    ]
