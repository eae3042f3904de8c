"""Writing one letter: the placeholders a template may use, the template that fits an order, and a wording
that no other letter of the store's day has (crm.wording picks it from the order's seed, so the same order
always gets the same letter).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from math import prod

from django.utils.translation import gettext as _

from crm.birthdays import age_on
from crm.languages import language_for_customer
from crm.models import Customer, Store
from crm.money import money_text
from crm.platform_rules import ensure_no_review_incentive
from crm.wording import combination, combination_indices, fingerprint, one_line

from .default_texts import DEFAULT_PARTS, NO_CUSTOMER, NO_PRODUCT
from .errors import LetterTemplateInvalid, LetterWordingsExhausted
from .models import AgeBand, Letter, LetterTemplate, Purchase

PLACEHOLDERS = ("customer", "product", "store", "agent", "hotline")
VARIANT_MAX = Letter._meta.get_field("variant").max_length
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A placeholder typed with a Chinese input method's full-width braces (either or both): not filled, printed as is.
_BRACED_NAME = re.compile(r"[{｛]\s*([a-z]+)\s*[}｝]")
# Letters that print nothing (Hangul fillers, the braille blank), besides spaces and format characters.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def shows_anything(value: str) -> bool:
    """Whether `value` prints something: not only spaces, format characters (a zero-width space) or blank letters."""
    return any(
        not (c.isspace() or c in _BLANK_LETTERS or unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp"))
        for c in value
    )


def wordings(text: str) -> list[str]:
    """A template part's wordings: one per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def template_check(*, parts: dict[str, str], store: Store, signing_agent_name: str) -> None:
    """Raise LetterTemplateInvalid (naming the part) for a placeholder that is unknown, malformed (an unclosed
    brace, full-width braces) or has nothing to fill it for this store, for an empty part, and for a reward offered
    for a review."""
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for part, text in parts.items():
        if not wordings(text):
            raise LetterTemplateInvalid(_("Write at least one wording (one per line)."), field=part)
        for wide in _BRACED_NAME.finditer(text):
            if wide[1] in PLACEHOLDERS and ("｛" in wide[0] or "｝" in wide[0]):
                raise LetterTemplateInvalid(
                    _("%(written)s is written with full-width braces; write {%(name)s}.")
                    % {"written": wide[0], "name": wide[1]},
                    field=part,
                )
        for name in _PLACEHOLDER.findall(text):
            if name not in PLACEHOLDERS:
                raise LetterTemplateInvalid(
                    _("Unknown placeholder {%(name)s}; use %(allowed)s.") % {"name": name, "allowed": allowed},
                    field=part,
                )
        if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
            raise LetterTemplateInvalid(
                _("A brace is not closed: write placeholders as %(allowed)s.") % {"allowed": allowed}, field=part
            )
        ensure_fillable(text, hotline=store.manager_hotline, agent_name=signing_agent_name, field=part)
        ensure_no_review_incentive(text, field=part)


def ensure_fillable(text: str, *, hotline: str, agent_name: str, field: str) -> None:
    """Raise LetterTemplateInvalid when `text` uses {hotline} or {agent} and there is nothing to fill it with: checked
    when a template is saved and again when letters are written (the hotline or the signer may have gone since, and
    the built-in letter gives the hotline)."""
    if "{hotline}" in text and not hotline:
        raise LetterTemplateInvalid(_("{hotline} would be empty: the store has no manager hotline yet."), field=field)
    if "{agent}" in text and not agent_name:
        raise LetterTemplateInvalid(
            _("{agent} would be empty: choose who signs the letters in the letter rule first."), field=field
        )


@dataclass(frozen=True)
class OrderFacts:
    """What a template's conditions and placeholders read about one order."""

    order_id: int
    external_id: str
    customer_name: str
    gender: str
    age_band: str
    region: str
    categories: frozenset[str]
    first_purchase: bool
    # The order's total in the store's currency; None for an order in another (letters hold no exchange rates,
    # ADR 0036): it meets no order-value condition.
    amount: Decimal | None
    product: str


def age_band_of(birthday: date | None, on: date) -> str:
    """The age band of one born on `birthday` on the day `on` (crm.birthdays: a year older on Feb 28 for one born on
    Feb 29, in a year without one)."""
    age = age_on(birthday, on)
    if age is None:
        return ""
    for limit, band in ((25, AgeBand.UNDER_25), (35, AgeBand.FROM_25), (45, AgeBand.FROM_35), (55, AgeBand.FROM_45)):
        if age < limit:
            return band
    return AgeBand.FROM_55


def template_matches(template: LetterTemplate, facts: OrderFacts) -> bool:
    return (
        (not template.gender or template.gender == facts.gender)
        and (not template.age_band or template.age_band == facts.age_band)
        and (not template.region or template.region in facts.region)
        and (not template.category or template.category in facts.categories)
        and (not template.purchase or (template.purchase == Purchase.FIRST) == facts.first_purchase)
        and (template.min_amount is None or (facts.amount is not None and facts.amount >= template.min_amount))
        and (template.max_amount is None or (facts.amount is not None and facts.amount < template.max_amount))
    )


def specificity(template: LetterTemplate) -> int:
    return sum(getattr(template, name) not in ("", None) for name in LetterTemplate.CONDITIONS)


_MATCHING = object()


@dataclass
class LetterWriter:
    """A store's letters in one language: its own templates, most specific first, then the built-in one."""

    store_name: str
    hotline: str
    agent_name: str
    language: str
    currency: str  # the store's: its templates' order values are in it
    templates: list[LetterTemplate]
    _parts: dict = field(default_factory=dict, repr=False)

    def template_for(self, facts: OrderFacts) -> LetterTemplate | None:
        return next((t for t in self.templates if template_matches(t, facts)), None)

    def has_wording(self, facts: OrderFacts) -> bool:
        """Whether the store has a wording in this language for the order: one of its templates that fits, or the
        built-in letter, which there is for every letter language and which needs the manager's hotline (its every
        closing gives it). When not, `write` would raise LetterTemplateInvalid on the built-in letter."""
        if self.template_for(facts) is not None:
            return True
        if self.language not in DEFAULT_PARTS:
            return False
        try:
            self.parts(None)
        except LetterTemplateInvalid:
            return False
        return True

    def parts(self, template: LetterTemplate | None) -> tuple[list[list[str]], list[int], int]:
        key = template.pk if template is not None else "built-in"
        if key is None or (found := self._parts.get(key)) is None:  # an unsaved draft is never cached
            if template is None:
                source = DEFAULT_PARTS[self.language]
                parts = [source[name] for name in LetterTemplate.PARTS]
            else:
                parts = [wordings(getattr(template, name)) for name in LetterTemplate.PARTS]
            for name, wordings_of_part in zip(LetterTemplate.PARTS, parts, strict=True):
                ensure_fillable(
                    "\n".join(wordings_of_part), hotline=self.hotline, agent_name=self.agent_name, field=name
                )
            sizes = [len(p) for p in parts]
            found = self._parts[key] = (parts, sizes, prod(sizes))
        return found

    def fill(self, text: str, facts: OrderFacts) -> str:
        # Plain replacement, not str.format: a store's wording may contain other characters freely.
        # A name with nothing to show (a zero-width space, a blank filler) would greet nobody: "亲爱的：".
        customer = one_line(facts.customer_name)
        values = {
            "customer": customer if shows_anything(customer) else NO_CUSTOMER[self.language],
            "product": one_line(facts.product or "") or NO_PRODUCT[self.language],
            "store": one_line(self.store_name),
            "agent": one_line(self.agent_name),
            "hotline": one_line(self.hotline),
        }
        for name, value in values.items():
            text = text.replace(f"{{{name}}}", value)
        return text

    def write(self, facts: OrderFacts, *, seed: str, taken: set[str], template=_MATCHING) -> "Written":
        """The order's letter: the first wording (in the seed's order) whose text is not in `taken`, which it joins.

        `template` forces one template (a preview of a draft); by default the most specific matching one is used.
        """
        if template is _MATCHING:
            template = self.template_for(facts)
        parts, sizes, total = self.parts(template)
        for index in combination_indices(seed=seed, total=total):
            text = self.fill("\n".join(combination(parts, sizes, index)), facts)
            mark = fingerprint(text)
            if mark not in taken:
                taken.add(mark)
                variant = variant_of(template, currency=self.currency)
                return Written(text=text, fingerprint=mark, template=template, variant=variant, language=self.language)
        raise LetterWordingsExhausted(field="openings")


@dataclass(frozen=True)
class Written:
    text: str
    fingerprint: str
    template: LetterTemplate | None
    variant: str
    language: str


def variant_of(template: LetterTemplate | None, *, currency: str) -> str:
    """How the letter was chosen, in words a manager reads on the batch page ("" for the built-in letter, which
    the page names in the reader's language)."""
    if template is None:
        return ""
    conditions = [
        str(value) if name in ("region", "category") else str(getattr(template, f"get_{name}_display", lambda: value)())
        for name in LetterTemplate.CONDITIONS
        if (value := getattr(template, name)) not in ("", None) and name not in ("min_amount", "max_amount")
    ]
    if template.min_amount is not None:
        conditions.append(f"≥ {money_text(template.min_amount, currency)}")
    if template.max_amount is not None:
        conditions.append(f"< {money_text(template.max_amount, currency)}")
    variant = f"{template.name} ({', '.join(conditions)})" if conditions else template.name
    # A long name with long conditions (a region, a category of 100 characters each) is cut to what a letter keeps.
    return variant if len(variant) <= VARIANT_MAX else variant[: VARIANT_MAX - 1] + "…"


def writer_for(*, store: Store, language: str, agent_name: str) -> LetterWriter:
    templates = sorted(
        LetterTemplate.objects.filter(store=store, language=language, active=True),
        key=lambda t: (-specificity(t), t.pk),
    )
    return LetterWriter(
        store_name=store.name, hotline=store.manager_hotline, agent_name=agent_name, language=language,
        currency=store.currency, templates=templates,
    )  # fmt: skip


@dataclass
class StoreWriters:
    """A store's letters in the languages its customers read (ADR 0052): each in its customer's language when they have
    one (crm.languages, the rule the care SMS follows), else in the rule's; and in the rule's too when the store has no
    wording in the customer's for the order (`LetterWriter.has_wording`: no template of theirs in it fits, and the
    built-in letter cannot be filled, or there is none in that language). A writer per language, made when first asked
    for."""

    store: Store
    rule_language: str
    agent_name: str
    _writers: dict[str, LetterWriter] = field(default_factory=dict, repr=False)

    def writer(self, language: str) -> LetterWriter:
        if (found := self._writers.get(language)) is None:
            found = writer_for(store=self.store, language=language, agent_name=self.agent_name)
            self._writers[language] = found
        return found

    def language_for(self, customer: Customer, facts: OrderFacts) -> str:
        wanted = language_for_customer(customer=customer, store_language=self.rule_language)
        if wanted != self.rule_language and not self.writer(wanted).has_wording(facts):
            return self.rule_language
        return wanted

    def write(self, facts: OrderFacts, *, customer: Customer, seed: str, taken: set[str]) -> Written:
        return self.writer(self.language_for(customer, facts)).write(facts, seed=seed, taken=taken)
