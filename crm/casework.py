"""The hook through which a case's kind plugs its steps (and pages) into crm's one case workspace. ADR 0023.

crm owns the case, its timeline, evidence, remedies, approval, fulfilment, close and reopen. What differs per kind
of case is the list of steps an agent works: a complaint's four (crm.services.complaint, registered by crm itself)
and a bad review's five (registered by reviews). An app registers its kind from its AppConfig.ready(); crm never
imports the app. A kind names the case sources it serves; the first kind registered for a source wins, and a
source without a kind gets the complaint's steps.

Each step brings the form that records it and the service that carries it out, so the one case page renders and
posts every kind's steps the same way (``crm.views.cases.step_mark``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms

from crm.models import Case

# The form of a step: fields only; the service holds the rules. Its cleaned_data are passed to `perform`.
StepForm = type[forms.Form]
# perform(case=..., actor=<user>, agent=<Agent or None>, **cleaned_data) -> anything; raises DomainError.
StepAction = Callable[..., Any]


@dataclass(frozen=True)
class StepSpec:
    code: str
    label: str
    help: str = ""
    form: StepForm | None = None
    perform: StepAction | None = None
    # The step is ticked by closing the case with a root cause, not by a form of its own.
    by_close: bool = False
    # The tick rests on the case's evidence (a bad review's "cause understood, with evidence"): when the recheck of
    # stored files removes the evidence it was ticked on, it is unticked (crm.services.evidence_recheck, ADR 0047).
    rests_on_evidence: bool = False
    # The partial that renders the step's form on the case page (gets case, step, form, extra).
    template: str = "crm/cases/steps/_note.html"


@dataclass(frozen=True)
class CaseKind:
    code: str
    label: str
    sources: tuple[str, ...]
    steps: tuple[StepSpec, ...]

    def step(self, code: str) -> StepSpec | None:
        return next((s for s in self.steps if s.code == code), None)


@dataclass(frozen=True)
class CasePanel:
    """An extra section of the case page (a review shows what the customer wrote). `context` returns None when the
    panel has nothing to show for this case, else the template's context."""

    name: str
    template: str
    context: Callable[..., dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class CustomerSection:
    """An extra section of the customer page (letters, shipments ...), built the same way as a CasePanel."""

    name: str
    template: str
    context: Callable[..., dict[str, Any] | None]
    order: int = 100


@dataclass
class _Registry:
    kinds: dict[str, CaseKind] = field(default_factory=dict)
    by_source: dict[str, str] = field(default_factory=dict)
    case_panels: dict[str, CasePanel] = field(default_factory=dict)
    customer_sections: dict[str, CustomerSection] = field(default_factory=dict)
    triage_reasons: dict[str, str] = field(default_factory=dict)


_registry = _Registry()
DEFAULT_KIND = "complaint"


def case_kind_register(kind: CaseKind) -> None:
    """Add (or, on a second ready(), replace) a kind of case and the sources it serves."""
    _registry.kinds[kind.code] = kind
    for source in kind.sources:
        _registry.by_source.setdefault(source, kind.code)


def case_kind_for(*, case: Case) -> CaseKind:
    code = _registry.by_source.get(case.source, DEFAULT_KIND)
    return _registry.kinds[code]


def case_kinds() -> list[CaseKind]:
    return list(_registry.kinds.values())


def case_panel_register(panel: CasePanel) -> None:
    _registry.case_panels[panel.name] = panel


def case_panels() -> list[CasePanel]:
    return sorted(_registry.case_panels.values(), key=lambda p: (p.order, p.name))


def customer_section_register(section: CustomerSection) -> None:
    _registry.customer_sections[section.name] = section


def customer_sections() -> list[CustomerSection]:
    return sorted(_registry.customer_sections.values(), key=lambda s: (s.order, s.name))


def triage_reasons_register(labels: dict[str, str]) -> None:
    """Labels (lazy translations) for the triage reason codes a source writes on its cases."""
    _registry.triage_reasons.update(labels)


def triage_reason_label(code: str) -> str:
    return str(_registry.triage_reasons.get(code, code))
