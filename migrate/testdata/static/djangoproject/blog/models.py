from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=300)
    slug = models.CharField(max_length=50, unique=True)
    excerpt = models.CharField(max_length=200)
    views = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["title"], name="blog_post_title_idx"),
            models.Index(fields=["views"], name="blog_post_views_idx"),
        ]
