from django.db import models


class Item(models.Model):
    """A row with a few fields, listed newest first."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    amount = models.IntegerField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name
