"""The Django admin for all stores (ADR 0030, 0033), one module per group of models: stores, agents, customers (with
their change history and orders), cases (with their steps and evidence), the case policy (hours, closures, SLA
targets, root causes, the playbook), the API's tokens and inbound log, the records (audit log, heartbeats), users and
groups, and the logins django-axes records. What every admin builds on is crm.admin_mixins.

Django's autodiscovery imports this package only: importing each module here registers its admins.
"""

from crm.admin import agents, api, cases, customers, logins, policy, records, stores, users

__all__ = ["agents", "api", "cases", "customers", "logins", "policy", "records", "stores", "users"]
