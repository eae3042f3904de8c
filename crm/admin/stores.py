"""A store: its time zone changed through the service that moves what is planned in it."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.admin_mixins import StoreMoneyAdmin
from crm.models import Store
from crm.services.stores import store_timezone_change, store_timezone_withdrawals_check
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
