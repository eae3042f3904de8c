"""A store's root causes edited in the admin keep the rules of the case policy page (crm.services.policy.
root_cause_save): the first one added keeps the default list beside it, the last active one is not retired, a
code that closed cases is not renamed, and each change is audited."""

import pytest

from crm.models import AuditLog, RootCause
from crm.services.root_causes import DEFAULT_ROOT_CAUSES, root_cause_choices
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/crm/rootcause/add/"


def _change(cause: RootCause) -> str:
    return f"/admin/crm/rootcause/{cause.pk}/change/"


def test_the_first_root_cause_added_in_the_admin_keeps_the_default_list(admin_client):
    # Added in the admin, the store's first own cause became its whole list: every default cause (courier,
    # packaging, ...) was gone from the close form, and cases closed with them no longer counted like the others.
    store = StoreFactory()

    answer = admin_client.post(ADD, {"store": store.pk, "code": "dye-lot", "label": "染色批次", "active": "on"})

    assert answer.status_code == 302
    codes = dict(root_cause_choices(store=store))
    assert "dye-lot" in codes and {code for code, _label in DEFAULT_ROOT_CAUSES} <= set(codes)
    assert AuditLog.objects.filter(action="root_cause_added", store=store, target="dye-lot").exists()


def test_the_last_active_root_cause_is_not_retired_in_the_admin(admin_client):
    # Retired in the admin, the store's last active cause left the close form with nothing to choose: no case of
    # the store could be closed.
    store = StoreFactory()
    only = RootCause.objects.create(store=store, code="dye-lot", label="染色批次")

    answer = admin_client.post(_change(only), {"store": store.pk, "code": "dye-lot", "label": "染色批次"})  # unticked

    assert answer.status_code == 200 and "Keep at least one active root cause" in answer.text
    only.refresh_from_db()
    assert only.active


def test_a_root_cause_s_label_and_state_change_in_the_admin_its_code_does_not(admin_client):
    store = StoreFactory()
    cause = RootCause.objects.create(store=store, code="dye-lot", label="染色批次")
    RootCause.objects.create(store=store, code="old-box", label="旧包装")

    answer = admin_client.post(_change(cause), {"store": store.pk, "code": "renamed", "label": "染色不均"})

    assert answer.status_code == 302
    cause.refresh_from_db()
    assert (cause.code, cause.label, cause.active) == ("dye-lot", "染色不均", False)
    assert AuditLog.objects.filter(action="root_cause_changed", target="dye-lot").exists()
    assert admin_client.post(f"/admin/crm/rootcause/{cause.pk}/delete/", {"post": "yes"}).status_code == 403
