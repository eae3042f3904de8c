from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Manager pages that read across crm, callbacks and reviews: the top of the dependency graph."""

    name = "reports"
    verbose_name = _("Manager pages and reports")

    def ready(self) -> None:
        from crm.readable import audit_action_register
        from crm.signals import records_deleting

        from .metrics.titles import TITLES
        from .rollups.deletions import rollups_mark_deleted

        # An exported section is audited by its key; the audit page names it by its title.
        audit_action_register("report_exported", target=lambda key: str(TITLES.get(key, key)))
        # A review or an order deleted in the admin: its days' figures are taken again by the next frequent rebuild.
        records_deleting.connect(rollups_mark_deleted, dispatch_uid="reports.rollups_mark_deleted")
