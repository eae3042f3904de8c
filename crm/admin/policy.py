"""A store's case policy: service hours and days off, closures, SLA targets, root causes, the remedy playbook; each
checked as the policy page checks it, and the hours, closures and root causes saved through its services."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from crm.admin_mixins import CheckedAdmin, StoreMoneyAdmin, money_column
from crm.errors import InvalidInput
from crm.models import CasePolicy, RemedyPlay, RootCause, SlaTarget, StoreClosure
from crm.readable.policy import earlier_calendar_text
from crm.services.closures import (
    closure_check,
    store_closure_add,
    store_closure_remove,
    store_closure_withdrawals_check,
)
from crm.services.policy import calendar_of, case_policy_save, days_off_check, root_cause_save
from crm.timezones import store_today
from crm.withdrawals import WithdrawalsConfirmField


@admin.register(CasePolicy)
class CasePolicyAdmin(CheckedAdmin):
    list_display = ["store", "assignment", "service_start", "service_end", "days_off", "max_wait_days"]
    list_filter = ["assignment"]
    raw_id_fields = ["last_assigned"]
    readonly_fields = ["earlier_hours"]

    @admin.display(description=_("earlier service hours and days off"))
    def earlier_hours(self, obj: CasePolicy) -> str:
        """The calendars the policy had before, each with the moment it was replaced in the store's zone: the open
        cases' deadlines count the time before each change by them (ADR 0035)."""
        return (
            format_html_join(
                mark_safe("<br>"),
                "{}",
                ((earlier_calendar_text(calendar, store=obj.store),) for calendar in obj.earlier_calendars),
            )
            or "–"
        )

    def service_check(self, obj: CasePolicy) -> None:
        obj.days_off = days_off_check(obj.days_off)

    def save_model(self, request, obj, form, change):
        """New service hours or days off take effect now, the ones they replace kept until now, and count the open
        cases' deadlines still to come again, as on the policy page (ADR 0029, 0035)."""
        stored = CasePolicy.objects.select_for_update().filter(pk=obj.pk).first() if obj.pk else None
        case_policy_save(policy=obj, kept=calendar_of(stored or CasePolicy()))


class StoreClosureAdminForm(forms.ModelForm):
    # Not a field of the closure: ticked, the number of campaign contacts recording it withdraws that the admin
    # confirms (ADR 0046).
    confirm_withdrawals = WithdrawalsConfirmField(help_text=WithdrawalsConfirmField.admin_help)


def _closure_withdrawals_check(closure: StoreClosure, confirmed: int | None) -> int:
    return store_closure_withdrawals_check(
        store=closure.store,
        first_day=closure.first_day,
        last_day=closure.last_day,
        now=timezone.now(),
        confirmed=confirmed,
    )


@admin.register(StoreClosure)
class StoreClosureAdmin(CheckedAdmin):
    """Added and removed through crm.services.closures, as on the policy page: checked (no overlap, not over, not
    longer than a month), the open cases' deadlines counted again, audited. A closure is never changed (remove it and
    add another); one already over, or ended early, stays; deleting one under way ends it now and keeps it (ADR
    0035)."""

    list_display = ["store", "name", "first_day", "last_day", "recorded_at", "ended_at", "ended_by"]
    list_filter = ["store"]
    list_select_related = ["store", "ended_by"]
    search_fields = ["name"]
    readonly_fields = ["recorded_at", "ended_at", "ended_by"]
    form = StoreClosureAdminForm
    withdrawals_check = staticmethod(_closure_withdrawals_check)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and (obj.ended_at is not None or obj.last_day < store_today(obj.store)):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # each removal goes through the service, one at a time
        return actions

    def service_check(self, obj: StoreClosure) -> None:
        obj.name = closure_check(
            store=obj.store, name=obj.name, first_day=obj.first_day, last_day=obj.last_day,
            today=store_today(obj.store),
        )  # fmt: skip

    def save_model(self, request, obj, form, change) -> None:
        saved = store_closure_add(
            store=obj.store, actor=request.user, name=obj.name, first_day=obj.first_day, last_day=obj.last_day,
            withdrawals_confirmed=form.cleaned_data.get("confirm_withdrawals"),
        )  # fmt: skip
        obj.pk, obj._state.adding = saved.pk, False

    def delete_model(self, request, obj) -> None:
        store_closure_remove(store=obj.store, actor=request.user, closure_id=obj.pk)

    def response_delete(self, request, obj_display, obj_id):
        """One under way was ended, not deleted: say so rather than "deleted successfully"."""
        if not StoreClosure.objects.filter(pk=obj_id).exists():
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            _("“%(closure)s” was under way: it is kept on record, ended now (the store is open again).")
            % {"closure": obj_display},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:crm_storeclosure_changelist"))


@admin.register(SlaTarget)
class SlaTargetAdmin(CheckedAdmin):
    list_display = ["store", "triage_group", "source", "first_response_minutes", "resolution_minutes"]
    list_filter = ["store", "triage_group", "source"]


@admin.register(RootCause)
class RootCauseAdmin(CheckedAdmin):
    """Saved through root_cause_save, as on the case policy page: a store's first own cause keeps the default list
    beside it, and the change is audited. A cause is retired (inactive), not deleted or renamed: closed cases keep
    its code."""

    list_display = ["store", "code", "label", "active"]
    list_filter = ["store", "active"]
    list_select_related = ["store"]
    search_fields = ["code", "label"]

    def get_readonly_fields(self, request, obj=None):
        return ["store", "code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def service_check(self, obj: RootCause) -> None:
        # root_cause_save refuses it after writing (its own transaction rolls back); said here next to the field.
        # A store with no list of its own gets the (active) defaults first.
        others = RootCause.objects.filter(store=obj.store_id).exclude(pk=obj.pk)
        has_list = obj.pk is not None or others.exists()
        if not obj.active and has_list and not others.filter(active=True).exists():
            raise InvalidInput(
                _("Keep at least one active root cause: a case cannot close without one."), field="active"
            )

    def save_model(self, request, obj, form, change) -> None:
        saved = root_cause_save(store=obj.store, actor=request.user, code=obj.code, label=obj.label, active=obj.active)
        obj.pk, obj._state.adding = saved.pk, False


@admin.register(RemedyPlay)
class RemedyPlayAdmin(StoreMoneyAdmin):
    list_display = ["store", "cause", "kind", money_column("cost", _("usual cost"))]
    money_fields = ("cost",)
    list_filter = ["store", "cause"]
