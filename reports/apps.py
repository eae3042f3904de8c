from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Manager pages that read across crm, callbacks and reviews: the top of the dependency graph."""

    name = "reports"
    verbose_name = _("Manager pages and reports")
