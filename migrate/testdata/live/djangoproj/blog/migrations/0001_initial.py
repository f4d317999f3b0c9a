from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.RunSQL("CREATE TABLE blog_post (id serial PRIMARY KEY)", "DROP TABLE blog_post"),
    ]
