"""What the Django admin may write (ADR 0030). Every project admin.py builds on these.

- A setting (a store, an agent, a policy, a template) is edited here and checked as its page's service checks it
  (``CheckedAdmin``, in ``checked``): ``service_check(obj)`` calls the service's own validators and raises its domain
  error, shown next to the field it names; and a row of a store names only that store's rows, and agents who serve it.
- Rows the services write are shown, not written, here (``ServiceWrittenAdmin``, ``ServiceWrittenInline``, in
  ``service_written``): records of what happened (the audit log, telephony events, the contact ledger, profile
  changes, the inbound log, call attempts) and rows whose state the services move under their rules (a case and its
  remedies, a follow-up, a campaign and its contacts, a letter). A change there runs in the service's transaction,
  with its row locks, its audit entry and its signal; the admin's own save would have none of them. Such a row is
  changed on its page (the admin's "View on site"), never added here, and deleted here only when the admin says so
  (``deletable``: data an order system sent by mistake, which the rows that hang on it still protect).
  ``editable_fields`` names the few fields no rule guards.
- A table that grows with the stores' business (customers, orders, reviews, cases, follow-ups, parcels) is searched
  by the keys operators are given, each looked up where an index holds it (``KeyedSearchAdmin``, in ``search``),
  never with ``LIKE '%q%'`` over every row.
- A list of such a table counts no rows to number its pages (in ``paging``), reads a date range in an index
  that holds the date (in ``dates``: within a store where that index leads with the store), and reads no
  column over every row on a load: a filter offers fixed choices (``choices_filter``, in ``filters``), a date is
  filtered by ranges (Django's ``DateFieldListFilter``), never by a date hierarchy; it sorts only by a column an index
  leads with (in ``sorting``).
- Every list (``CheckedAdmin`` and all built on it) takes from its address only the lookups its filters, date hierarchy
  and search make (in ``lookups``): any other, on the model's own fields too, is a 400 before a row is read.
- A customer's phone number is shown as the pages show it to agents, masked by ``crm.phones.mask_phone``
  (``phone_fields``; ``masked_phone``, in ``masking``): in every list, and on a change page to anyone who may not
  change customers. A change page that shows it whole is audited as a reveal on the pages is
  (``customer_phone_reveal_audit``), each time it is shown.
- An amount of a store's setting (a threshold, a playbook's cost) is in the store's currency (ADR 0036) and says so
  (``StoreMoneyAdmin``, ``money_column``, in ``money``): its label names the currency on a row's change page, its help
  text on the add page. The store's own agent remedy limit too, in the currency set on the same page.
- What a provider or an order system sent, kept as it came (``payload_fields``: the inbound log's rows, telephony
  events, a courier's checkpoints), is shown the same way (``masking``): its numbers, names and addresses masked
  (``crm.personal_data``) for anyone who may not change customers; shown whole, it is a reveal, audited.

The app admins import what they build on from here, the one toolkit ADR 0030 describes.
"""

from crm.admin_mixins.checked import CheckedAdmin
from crm.admin_mixins.filters import choices_filter
from crm.admin_mixins.masking import masked_phone
from crm.admin_mixins.money import StoreMoneyAdmin, money_column
from crm.admin_mixins.search import KeyedSearchAdmin
from crm.admin_mixins.service_written import ServiceWrittenAdmin, ServiceWrittenInline

__all__ = [
    "CheckedAdmin",
    "KeyedSearchAdmin",
    "ServiceWrittenAdmin",
    "ServiceWrittenInline",
    "StoreMoneyAdmin",
    "choices_filter",
    "masked_phone",
    "money_column",
]
