"""The one-time tokens of page forms that create something (crm.services.submissions)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormSubmission(models.Model):
    """A form's token, stored by the write it sent, in that write's transaction, with what the write made.

    The token is the primary key: a second submit of the same form (a double click, a browser resending a slow
    form) cannot store it again, even at the same instant, and is shown what the first one made instead.
    """

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Which form sent it ("retention.campaign"): a token is only ever good for the form it was rendered in.
    form = models.CharField(max_length=60)
    # Which store's address it was sent to: a token sent again to another store's address (a crafted post) is
    # refused rather than answered with an object of the first store. Empty only on rows stored before it was kept.
    store = models.ForeignKey("crm.Store", null=True, on_delete=models.CASCADE, related_name="+")
    # What a form about one object was sent about ("crm.case:12"; empty for a form that makes something new in the
    # store): a token sent again about another object of the store (a case's evidence form posted to another case) is
    # refused rather than answered with what was made for the first one.
    subject = models.CharField(max_length=80, blank=True, default="")
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.form} {self.token}"
