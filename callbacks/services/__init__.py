"""Follow-up writes with business rules, one module per concern (import from the module)."""
