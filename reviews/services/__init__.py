"""Writes with business rules for reviews, one module per concern. Import from the module."""
