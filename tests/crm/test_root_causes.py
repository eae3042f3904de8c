import pytest

from crm.errors import UnknownRootCause
from crm.models import Case, RootCause
from crm.services.cases import case_close, case_open
from crm.services.root_causes import root_cause_choices
from tests.factories import CustomerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _open(store) -> Case:
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.MANUAL)
    return case


def test_a_store_without_its_own_list_closes_with_the_default_root_causes():
    store = StoreFactory()
    assert "supplier_defect" in dict(root_cause_choices(store=store))
    with pytest.raises(UnknownRootCause) as error:
        case_close(case=_open(store), root_cause="the courier threw it")
    assert error.value.field == "root_cause"
    assert case_close(case=_open(store), root_cause="courier").root_cause == "courier"


def test_a_store_with_its_own_list_accepts_only_its_active_entries():
    store = StoreFactory()
    RootCause.objects.create(store=store, code="dye-lot", label="染色批次")
    RootCause.objects.create(store=store, code="old-box", label="旧包装", active=False)
    assert root_cause_choices(store=store) == [("dye-lot", "染色批次")]
    for rejected in ("courier", "old-box"):
        with pytest.raises(UnknownRootCause):
            case_close(case=_open(store), root_cause=rejected)
    case = case_close(case=_open(store), root_cause="dye-lot")
    assert case.status == Case.Status.CLOSED and case.root_cause == "dye-lot"
