"""Writes with business rules, one module per domain. Import from the module, e.g. crm.services.cases."""
