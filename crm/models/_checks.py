"""Helpers for the constraints of crm's models."""

from django.db import models
from django.db.models import Q


def choices_check(field: str, choices: type[models.Choices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)
