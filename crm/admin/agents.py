"""An agent's profile: the stores served, with the role, shift and evening capacity in each (ADR 0045)."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.admin.users import agents_only, more_than_an_agent
from crm.admin_mixins import CheckedAdmin
from crm.models import Agent, AgentStore, StoreRole
from crm.phones import normalise_phone
from crm.punctuation import itemised
from crm.services.agents import agent_leave_stores
from crm.services.policy import MAX_EVENING_CAPACITY


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
        return obj is not None and not request.user.is_superuser and more_than_an_agent(obj.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._superusers_only(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._superusers_only(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Nor is a profile given to such an account, or an agent's moved to it.
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = agents_only()
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
