"""The customers the order systems send, with their change history, and their orders."""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.admin_mixins import KeyedSearchAdmin, ServiceWrittenAdmin, choices_filter, masked_phone
from crm.admin_mixins.dates import StoreDateRangeFilter, StoreFilter
from crm.models import Customer, CustomerChange, Order
from crm.services.customers import EDITABLE_FIELDS


@admin.register(Customer)
class CustomerAdmin(KeyedSearchAdmin):
    """The order system sends the customer; the profile and the contact wishes are edited on the customer's page,
    where each change is kept with who made it and the wish takes back the calls it rules out. The SMS opt-out is
    the customer's own reply (STOP, START). The number is masked as on the pages, but on the change page of a user
    who may change customers."""

    list_display = [
        *("name", "store", "external_id", masked_phone("phone", _("Phone"))),
        *("vip_tier", "contact_preference", "language", "sms_opt_out"),
    ]
    list_filter = ["store", "vip_tier", "contact_preference", "language", "sms_opt_out", "personality_type", "gender"]
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
    # index (crm.admin_mixins.dates).
    list_filter = [("store", StoreFilter), "status", ("placed_at", StoreDateRangeFilter)]
    search_fields = ["external_id"]
    customer_key = "customer"
    deletable = True
