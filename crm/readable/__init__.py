"""Timeline and audit entries in words of the agent's language: labels, not codes; names, not ids; the fields
that changed, not the stored dict. Keys a reader has no use for (call SIDs, internal ids) are left out.

Other apps' words come from the registries they fill (crm.casework): step labels from the case kinds, triage
reasons from the sources that write them.

One module per thing rendered: a case's timeline event (`timeline`), an audit log entry (`audit`), a row of a
customer's change history (`customers`), a store's settings as stored and audited (`policy`); `details` holds the
labels of the keys timeline and audit entries share, `values` how a stored value reads.

Other apps register their own words here from their AppConfig.ready (crm imports no app): `audit_action_register`
and `customer_change_register`, the two names this package exports; every other reader imports from its module.
"""

from crm.readable.audit import audit_action_register
from crm.readable.customers import customer_change_register

__all__ = ["audit_action_register", "customer_change_register"]
