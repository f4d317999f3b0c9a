from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=100)
    sku = models.CharField(max_length=20, null=True)

    class Meta:
        indexes = [models.Index(fields=["name"], name="shop_item_name_idx")]
