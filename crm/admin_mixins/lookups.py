"""The lookups an admin list takes from its address: those its declared filters, date hierarchy and search make
(ADR 0033).

Django's ChangeList hands the address's parameters to the list's filters, each taking its own (`expected_parameters()`:
`store__id__exact`, `placed_at__gte`...), turns the date hierarchy's year, month and day into a range, and applies
whatever is left to the queryset as it came. `ModelAdmin.lookup_allowed` refuses only a lookup across a relation no
filter names; any lookup on the model's own fields went through: `?external_id__icontains=x` read every order with
`LIKE '%X%'`, `?placed_at__year=2025` read a year over every store (a range is read within one), `?phone__startswith=`
told a user shown numbers masked how a customer's number begins, a digit at a time.

`DeclaredLookupsChangeList` refuses what the filters left, as Django refuses a lookup it does not allow
(`DisallowedModelAdminLookup`: a 400, logged as a security event), before a row of the list is read. What stays: the
date hierarchy's own range (from its year, month and day) and the pairs a raw-id popup passes (a key's
`limit_choices_to`, which `lookup_allowed` lets through). The search (`q`), the sort, the page and the popup's flags
are not lookups (Django's `IGNORED_PARAMS`).

Nor does a list sort by a column it does not offer to sort by (its `sortable_by`: `crm.admin_mixins.sorting` for big
tables' lists): Django reads `?o=` by column position whatever the header offers; such a position is skipped, as Django
skips a position out of range.

A value a filter takes is checked before a row is read: a code a choices filter does not offer (`?status__exact=bogus`
listed nothing, found by reading every row of the table, unindexed, for a code no row holds) and a NUL anywhere in a
filter's value (which PostgreSQL's driver refuses: a 500) are refused as Django refuses a boolean or a key it cannot
take (`IncorrectLookupParameters`: a redirect to `?e=1`).

An action's selection (`_selected_action`, posted from the list's checkboxes) becomes a `pk__in` lookup too: a value
that is no key of the model (a word, a NUL) is refused with a 400 before the action runs, as Django refuses a
lookup it does not allow; Django's own filter raised a ValueError on it, a 500.
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import ValidationError


class DeclaredLookupsChangeList(ChangeList):
    def get_filters(self, request):
        filters = super().get_filters(request)
        remaining = filters[2]  # what no filter took, applied as it came by ChangeList.get_queryset
        refused = sorted(key for key in remaining if not self._made_here(key))
        if refused:
            raise DisallowedModelAdminLookup(f"Filtering by {', '.join(refused)} not allowed")
        if any("\x00" in value for values in self.filter_params.values() for value in values):
            raise IncorrectLookupParameters("A filter's value holds a NUL")
        for spec in filters[0]:
            if isinstance(spec, admin.ChoicesFieldListFilter) and spec.lookup_val is not None:
                offered = {str(code) for code, _label in spec.field.flatchoices if code is not None}
                if not set(spec.lookup_val) <= offered:
                    raise IncorrectLookupParameters(f"{spec.lookup_kwarg}: not one of the filter's codes")
        return filters

    def _made_here(self, key: str) -> bool:
        # ChangeList.get_filters replaced the hierarchy's year (month, day) by this range: a crafted one is overwritten.
        hierarchy = self.date_hierarchy
        ranged = hierarchy and f"{hierarchy}__year" in self.filter_params
        if ranged and key in {f"{hierarchy}__gte", f"{hierarchy}__lt"}:
            return True
        values = self.filter_params.get(key, [])
        for lookups in self.lookup_opts.related_fkey_lookups:
            allowed = url_params_from_lookup_dict(lookups() if callable(lookups) else lookups)
            if key in allowed and all(value == allowed[key] for value in values):
                return True
        return False

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None  # ChangeList.get_ordering then skips it
        return super().get_ordering_field(field_name)


class DeclaredLookupsAdmin(admin.ModelAdmin):
    """A list that takes from its address only what its filters, date hierarchy and search make."""

    def get_changelist(self, request, **kwargs):
        return DeclaredLookupsChangeList

    def response_action(self, request, queryset):
        key = self.model._meta.pk
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                if "\x00" in value:
                    raise ValidationError("NUL")
                key.to_python(value)
            except ValidationError:
                raise DisallowedModelAdminLookup("An action's selection holds a value that is no key") from None
        return super().response_action(request, queryset)
