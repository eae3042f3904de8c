import contextlib
import ipaddress

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm import roles
from crm.admin_dates import DateRangeFilter, KeyRangeByTimeFilter, StoreDateRangeFilter, StoreFilter
from crm.admin_lookups import DeclaredLookupsAdmin
from crm.admin_mixins import (
    CheckedAdmin,
    KeyedSearchAdmin,
    ServiceWrittenAdmin,
    ServiceWrittenInline,
    StoreMoneyAdmin,
    choices_filter,
    masked_phone,
    money_column,
)
from crm.errors import InvalidInput
from crm.models import (
    Agent,
    AgentStore,
    ApiToken,
    AuditLog,
    Case,
    CaseEvent,
    CaseEvidence,
    CasePolicy,
    CaseStep,
    Customer,
    CustomerChange,
    InboundEvent,
    Order,
    Remedy,
    RemedyPlay,
    RootCause,
    SlaTarget,
    Store,
    StoreClosure,
    StoreRole,
    WorkerHeartbeat,
)
from crm.phones import normalise_phone
from crm.punctuation import itemised
from crm.readable import AUDIT_ACTIONS, earlier_calendar_text
from crm.services.agents import agent_leave_stores
from crm.services.api_tokens import api_tokens_revoke
from crm.services.closures import (
    closure_check,
    store_closure_add,
    store_closure_remove,
    store_closure_withdrawals_check,
)
from crm.services.customers import EDITABLE_FIELDS
from crm.services.evidence_recheck import MAX_LIFTED, evidence_removal_lift
from crm.services.policy import (
    MAX_EVENING_CAPACITY,
    calendar_of,
    case_policy_save,
    days_off_check,
    root_cause_save,
)
from crm.services.stores import store_timezone_change, store_timezone_withdrawals_check
from crm.timezones import store_today
from crm.withdrawals import WithdrawalsConfirmField


class StoreAdminForm(forms.ModelForm):
    # Not a field of the store: ticked, the number of campaign contacts a new time zone withdraws that the admin
    # confirms (ADR 0046).
    confirm_withdrawals = WithdrawalsConfirmField(help_text=WithdrawalsConfirmField.admin_help)


def _zone_withdrawals_check(store: Store, confirmed: int | None) -> int:
    """A new time zone that would withdraw campaign contacts is saved only once the admin confirms as many (ADR
    0046); `store` carries the form's zone, the stored row the zone it moves from."""
    if store.pk is None:
        return 0
    stored = Store.objects.get(pk=store.pk)
    return store_timezone_withdrawals_check(store=stored, zone=store.timezone, now=timezone.now(), confirmed=confirmed)


@admin.register(Store)
class StoreAdmin(StoreMoneyAdmin):
    list_display = ["code", "name", "platform", "timezone", "currency", "manager_hotline"]
    list_filter = ["platform", "timezone"]
    search_fields = ["code", "name"]
    form = StoreAdminForm
    withdrawals_check = staticmethod(_zone_withdrawals_check)
    # The agent's limit is in the store's own currency, the field above it (ADR 0036), as the policy page says.
    money_fields = ("agent_remedy_limit",)
    money_help_text = _("In the currency above (the store's currency).")

    def money_currency(self, obj: Store) -> str:
        return obj.currency

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["help_texts"] = {
                "timezone": _(
                    "Changing it moves what is still planned in the store's local time (calls, waiting messages, "
                    "deadlines, campaign schedules) to the same local times in the new zone, in the same save; "
                    "campaign messages and return-visit calls it leaves no time before their campaign ends are "
                    "withdrawn, once you confirm how many. What has already happened stays as it was."
                )
            }
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        # A new store has nothing planned: the confirmation is asked on its change page only.
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [name for name in fields if name != "confirm_withdrawals"]

    def save_model(self, request, obj, form, change):
        """A changed time zone goes through `store_timezone_change`, which moves what is planned in it (ADR 0029)
        and withdraws what the admin confirmed (ADR 0046, asked by the form before); the admin's own save (in one
        transaction with it) writes the rest of the form."""
        zone = obj.timezone
        moved = change and "timezone" in form.changed_data
        if moved:
            obj.timezone = form.initial["timezone"]
        super().save_model(request, obj, form, change)
        if moved:
            obj.timezone = store_timezone_change(
                store=obj, zone=zone, actor=request.user,
                withdrawals_confirmed=form.cleaned_data.get("confirm_withdrawals"),
            ).timezone  # fmt: skip


def _agents_only():
    """The users with no more rights than an agent's: not staff nor superusers, in no group but the agents', given no
    permission of their own. The rest (a store manager's account, a staff one) are changed by superusers (ADR 0033)."""
    others = Group.objects.exclude(name=roles.AGENT)
    return (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False, user_permissions=None)
        .exclude(groups__in=others)
    )


def _more_than_an_agent(user) -> bool:
    return not _agents_only().filter(pk=user.pk).exists()


class AgentStoreForm(forms.ModelForm):
    class Meta:
        model = AgentStore
        fields = ["store", "role", "on_shift", "evening_capacity"]

    def __init__(self, *args, profile: Agent | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The agent profile the row is of, saved or (on the add page) not yet: a new row's instance has none.
        self.profile = profile

    def clean(self):
        cleaned = super().clean()
        user = self.profile.user if self.profile is not None and self.profile.user_id else None
        if cleaned.get("role") == StoreRole.MANAGER and user is not None and not roles.in_manager_group(user):
            self.add_error(
                "role",
                _("Only an account in the store managers' group manages a store: give the account that group first."),
            )
        capacity = cleaned.get("evening_capacity")
        if capacity is not None and capacity > MAX_EVENING_CAPACITY:  # as agent_shift_update (crm.services.policy)
            self.add_error(
                "evening_capacity",
                _("An evening capacity is between 0 and %(max)s calls.") % {"max": MAX_EVENING_CAPACITY},
            )
        return cleaned


class AgentStoreFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        # Each row checks its role against the profile's account, which a new profile's rows cannot reach themselves.
        return {**super().get_form_kwargs(index), "profile": self.instance}


class AgentStoreInline(admin.TabularInline):
    """The stores an agent serves, with their role, shift and evening capacity in each (ADR 0045), changed with the
    agent's profile and by whoever may change the profile (a manager's by superusers only)."""

    model = AgentStore
    form = AgentStoreForm
    formset = AgentStoreFormSet
    fields = ["store", "role", "on_shift", "evening_capacity"]
    extra = 0
    verbose_name = _("store served")
    verbose_name_plural = _("stores served, with the role, shift and evening capacity in each")

    def _profile(self, request):
        return self.admin_site._registry[Agent]

    def has_view_permission(self, request, obj=None) -> bool:
        return self._profile(request).has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        profile = self._profile(request)
        return profile.has_add_permission(request) if obj is None else profile.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_add_permission(request, obj)


@admin.register(Agent)
class AgentAdmin(CheckedAdmin):
    """An agent's stores (with their role, shift and evening capacity in each, ADR 0045) and phone are set up here by
    staff allowed to change agents; the profile of an account with more than an agent's rights (a store manager's: the
    stores they manage are what they approve remedies and set the policy for; a staff member's, their own too) is
    changed by superusers only, as the account itself is (UserAdmin). A store taken off the agent here hands their open
    work there on, as `agent.stores.remove()` does (crm.receivers)."""

    list_display = ["user", "stores_and_roles", "phone"]
    list_filter = ["stores", "memberships__role", "memberships__on_shift", "user__groups"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone"]
    raw_id_fields = ["user"]
    inlines = [AgentStoreInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("memberships__store")

    @admin.display(description=_("stores served"))
    def stores_and_roles(self, obj: Agent) -> str:
        return itemised(membership.shift_text() for membership in obj.memberships.all())

    @staticmethod
    def _superusers_only(request, obj: Agent | None) -> bool:
        return obj is not None and not request.user.is_superuser and _more_than_an_agent(obj.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._superusers_only(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._superusers_only(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Nor is a profile given to such an account, or an agent's moved to it.
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = _agents_only()
            kwargs["error_messages"] = {
                "invalid_choice": _("A superuser sets up the profile of an account with more than an agent's rights.")
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        """The inline's rows are saved one by one (no m2m_changed): the stores no longer served are handed on here."""
        before = set(AgentStore.objects.filter(agent=form.instance).values_list("store_id", flat=True))
        super().save_related(request, form, formsets, change)
        after = set(AgentStore.objects.filter(agent=form.instance).values_list("store_id", flat=True))
        if before - after:
            agent_leave_stores(agent_id=form.instance.pk, store_ids=before - after)

    def service_check(self, obj: Agent) -> None:
        # The provider rings this number first when the agent clicks to call: E.164, as customers' numbers are.
        if obj.phone:
            obj.phone = normalise_phone(obj.phone)


@admin.register(Customer)
class CustomerAdmin(KeyedSearchAdmin):
    """The order system sends the customer; the profile and the contact wishes are edited on the customer's page,
    where each change is kept with who made it and the wish takes back the calls it rules out. The SMS opt-out is
    the customer's own reply (STOP, START). The number is masked as on the pages, but on the change page of a user
    who may change customers."""

    list_display = [
        *("name", "store", "external_id", masked_phone("phone", _("Phone"))),
        *("vip_tier", "contact_preference", "sms_opt_out"),
    ]
    list_filter = ["store", "vip_tier", "contact_preference", "sms_opt_out", "personality_type", "gender"]
    customer_key = "pk"
    search_help_text = _("A phone number (written any way), or the customer's id in the order system, in full.")
    raw_id_fields = ["dedicated_owner"]
    editable_fields = ("dedicated_owner",)
    phone_fields = ("phone",)
    deletable = True

    def view_on_site(self, obj):
        return reverse("customers:customer", args=[obj.pk])


@admin.register(CustomerChange)
class CustomerChangeAdmin(ServiceWrittenAdmin):
    list_display = ["changed_at", "customer", "field", "changed_by"]
    list_filter = [("field", choices_filter((name, Customer._meta.get_field(name).verbose_name)
                                            for name in EDITABLE_FIELDS))]  # fmt: skip
    list_select_related = ["customer", "changed_by"]


@admin.register(Order)
class OrderAdmin(KeyedSearchAdmin):
    list_display = [
        "external_id",
        "store",
        "customer",
        "total_amount",
        "currency",
        "status",
        "placed_at",
        "delivered_at",
    ]
    # No filter on the courier or the currency: they are what the order system wrote, with no list to choose from
    # but the values over every order (choices_filter). A date by ranges, within a store, in its (store, placed_at)
    # index (crm.admin_dates).
    list_filter = [("store", StoreFilter), "status", ("placed_at", StoreDateRangeFilter)]
    search_fields = ["external_id"]
    customer_key = "customer"
    deletable = True


class CaseEventInline(ServiceWrittenInline):
    model = CaseEvent


class RemedyInline(ServiceWrittenInline):
    model = Remedy


@admin.register(Case)
class CaseAdmin(KeyedSearchAdmin):
    list_display = ["id", "store", "customer", "source", "status", "cause", "triage_group", "assignee", "opened_at"]
    list_filter = ["store", "status", "source", "cause", "triage_group"]
    customer_key, order_key = "customer", "order"
    list_select_related = ["store", "customer", "assignee__user"]
    inlines = [RemedyInline, CaseEventInline]

    def view_on_site(self, obj):
        return reverse("cases:case", args=[obj.pk])


@admin.register(AuditLog)
class AuditLogAdmin(ServiceWrittenAdmin):
    list_display = ["at", "actor", "store", "action", "target"]
    # A range of times in the (at) index, with or without a store (crm.admin_dates).
    list_filter = [("action", choices_filter(AUDIT_ACTIONS.items())), "store", ("at", DateRangeFilter)]
    list_select_related = ["actor", "store"]
    # What the search box reads; get_search_results looks each up where an index holds it.
    search_fields = ["action", "target", "actor__username"]
    search_help_text = _("An action's code, a user's name, or a target (such as customer:12) in full or its beginning.")

    def get_search_results(self, request, queryset, search_term):
        """What operators are given: an action's code, a user's name, a target (`customer:12`, `case #7`) in full or
        its beginning, each in an index (AuditLog.Meta.indexes; the user read first, by the unique username). A part
        from the middle of a target is not searched: that reads every row."""
        term = search_term.strip()
        if not term:
            return queryset, False
        actors = list(get_user_model().objects.filter(username=term).values_list("pk", flat=True))
        return queryset.filter(Q(action=term) | Q(target__startswith=term) | Q(actor__in=actors)), False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ServiceWrittenAdmin):
    list_display = ["name", "last_run_at", "runs", "hostname"]


@admin.register(ApiToken)
class ApiTokenAdmin(CheckedAdmin):
    """List and revoke keys. Keys are created with `manage.py create_api_token`, the one place that shows them."""

    list_display = ["name", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["stores", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["key_prefix", "created_at", "last_used_at", "revoked_at"]
    filter_horizontal = ["stores"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = api_tokens_revoke(token_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": revoked})


@admin.register(InboundEvent)
class InboundEventAdmin(ServiceWrittenAdmin):
    list_display = ["received_at", "kind", "store", "external_id", "token"]
    list_filter = ["kind", "store"]
    list_select_related = ["store", "token"]
    search_fields = ["external_id__exact"]
    # The row as the order system sent it: the customer's number, name and address masked (ADR 0033).
    payload_fields = ("payload",)


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


@admin.register(CaseStep)
class CaseStepAdmin(ServiceWrittenAdmin):
    list_display = ["case", "step", "done_by", "done_at"]
    list_select_related = ["case__customer", "done_by"]


@admin.register(CaseEvidence)
class CaseEvidenceAdmin(ServiceWrittenAdmin):
    """Shown, never written here (ADR 0030), but for one decision an operator makes about a file the recheck removed
    from its case (ADR 0047): having looked at it, they may give it back (`evidence_removal_lift`, audited)."""

    list_display = [
        "case", "caption", "url", "image", "added_by", "added_at", "quarantined_at", "quarantine_reason",
    ]  # fmt: skip
    list_select_related = ["case__customer", "added_by"]
    # The removed files (the index caseevidence_removed holds them), or the rest.
    list_filter = [("quarantined_at", admin.EmptyFieldListFilter)]
    actions = ["lift_removal"]

    def has_lift_removal_permission(self, request) -> bool:
        # The one change the admin makes to evidence: for whoever may change it (superusers may).
        return request.user.has_perm("crm.change_caseevidence")

    @admin.action(description=_("Restore to its case (lift the removal)"), permissions=["lift_removal"])
    def lift_removal(self, request, queryset):
        ids = list(queryset.exclude(quarantined_at=None).order_by().values_list("pk", flat=True)[: MAX_LIFTED + 1])
        if len(ids) > MAX_LIFTED:
            message = _("Restore at most %(count)s files at a time: choose them on a page.") % {"count": MAX_LIFTED}
            self.message_user(request, message, messages.ERROR)
            return
        lifted = evidence_removal_lift(evidence_ids=ids, actor=request.user)
        message = ngettext(
            "%(count)d file restored to its case.", "%(count)d files restored to their cases.", lifted
        ) % {"count": lifted}
        self.message_user(request, message, messages.SUCCESS if lifted else messages.WARNING)


@admin.register(RemedyPlay)
class RemedyPlayAdmin(StoreMoneyAdmin):
    list_display = ["store", "cause", "kind", money_column("cost", _("usual cost"))]
    money_fields = ("cost",)
    list_filter = ["store", "cause"]


# -- users and groups -------------------------------------------------------------------------------------------------
# Django's own admins, but a user's rights are given by superusers only (ADR 0033): staff allowed to change users (to
# set an agent's login up) could otherwise tick their own "superuser status", give an agent's account (whose password
# they set) "staff status", add themselves to any group, grant themselves any permission, or add it to a group they are
# in. And they set up agents' logins only: an account with more rights than an agent's is changed by superusers, since
# a new password or username for it hands its rights over. A group is a set of rights, and the roles are groups found
# by their name (crm.roles): it is added, renamed or deleted by superusers only.


admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class UserAdmin(DeclaredLookupsAdmin, auth_admin.UserAdmin):
    rights = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        # Read-only fields are left out of the form: a crafted POST of them is ignored as an unknown field is.
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else [*fields, *self.rights]

    def has_change_permission(self, request, obj=None) -> bool:
        # Another account with more than an agent's rights (a manager's, a staff member's, a superuser's) is changed
        # by superusers only: a new password or login for it would hand its rights to whoever set them. Staff change
        # their own (without its rights: get_readonly_fields).
        if obj is not None and obj != request.user and not request.user.is_superuser and _more_than_an_agent(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and _more_than_an_agent(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Group)
class GroupAdmin(DeclaredLookupsAdmin, auth_admin.GroupAdmin):
    """Shown to staff who may view groups; written by superusers only. Renaming "store_manager" to "agent" and back
    made every manager's account an agent's, whose password an operator may set; renaming "agent" to "store_manager"
    made every agent a manager; a deleted role takes its rights from everyone in it."""

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


# -- logins (django-axes, ADR 0015) -----------------------------------------------------------------------------------
# axes' own admins read over tables that grow with every login: a date hierarchy (the distinct days), a filter on the
# path (SELECT DISTINCT), its choices counted, a list sorted by an unindexed time, a search of LIKE '%q%' over four
# columns; and a record of a login could be edited or deleted. Here they are the records ServiceWrittenAdmin shows.


class _LoginRecordsAdmin(ServiceWrittenAdmin):
    date_hierarchy = None
    # The logs (failures, logins) grow with every login, and axes indexes no time: a range is read as a range of keys
    # (crm.admin_dates.KeyRangeByTimeFilter). The access attempts hold the last cool-off's failures only (axes deletes
    # older ones at each login), and their time moves with each failure: Django's own range (AccessAttemptAdmin).
    list_filter = [("attempt_time", KeyRangeByTimeFilter)]
    search_fields = ["username", "ip_address"]
    search_help_text = _("A username or an IP address, in full.")

    def get_search_results(self, request, queryset, search_term):
        """A whole username or address, each in its own index (axes indexes both)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        found = Q(username=term)
        with contextlib.suppress(ValueError):  # not an address: a username only
            found |= Q(ip_address=str(ipaddress.ip_address(term)))
        return queryset.filter(found), False


class AccessAttemptAdmin(_LoginRecordsAdmin, axes_admin.AccessAttemptAdmin):
    """The running count of a username's or an address's failures: deleting it lifts the lock (ADR 0015)."""

    list_filter = [("attempt_time", admin.DateFieldListFilter), axes_admin.IsLockedOutFilter]
    deletable = True

    @admin.action(description=axes_admin.AccessAttemptAdmin.cleanup_expired_attempts.short_description,
                  permissions=["delete"])  # fmt: skip
    def cleanup_expired_attempts(self, request, queryset):
        # axes' action named no permission: whoever could look at the attempts could delete them.
        return super().cleanup_expired_attempts(request, queryset)


class AccessFailureLogAdmin(_LoginRecordsAdmin, axes_admin.AccessFailureLogAdmin):
    list_filter = [*_LoginRecordsAdmin.list_filter, "locked_out"]


class AccessLogAdmin(_LoginRecordsAdmin, axes_admin.AccessLogAdmin):
    # No range of logout times: set at logout, it grows with neither the key nor an index ("No date" read every row).
    list_filter = _LoginRecordsAdmin.list_filter


for _model, _model_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (AccessLog, AccessLogAdmin),
):
    if admin.site.is_registered(_model):  # as axes registered it (AXES_ENABLE_ADMIN)
        admin.site.unregister(_model)
        admin.site.register(_model, _model_admin)
