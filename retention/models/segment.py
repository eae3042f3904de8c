"""Segments: a store's rule over customer attributes (built-in or written in a form)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import Store


class Segment(models.Model):
    """`rules` is a list of {"attribute", "op", "value"}, all of which must hold (retention.rules checks them).
    A built-in segment has `builtin` set to its key and its rules come from the code, so they stay current."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("name"), max_length=100)
    builtin = models.CharField(_("built-in"), max_length=30, blank=True)
    rules = models.JSONField(_("rules"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["store", "-builtin", "name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            # Names are unique among the store's own segments; a built-in is known by its key, not its name.
            models.UniqueConstraint(
                fields=["store", "name"], condition=models.Q(builtin=""), name="segment_name_unique_per_store"
            ),
            models.UniqueConstraint(
                fields=["store", "builtin"], condition=~models.Q(builtin=""), name="segment_builtin_once_per_store"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name to show: a built-in segment's in the reader's language, from the code like its rules (its row
        keeps the name in the language it was made in, with the store)."""
        if self.builtin:
            from ..rules import BUILTINS  # the rules module reads the models

            if self.builtin in BUILTINS:
                return str(BUILTINS[self.builtin][0])
        return self.name
