"""Rebuild a store's daily roll-ups from the facts (reviews, follow-ups, cases, remedies), by SQL aggregation.

Each producer runs one GROUP BY over one fact table, by store-local day (date_trunc in the store's timezone),
and returns the grouped rows as DailyCount objects. The report then sums those, never the facts. A rebuild
replaces a store's rows from a day on in one transaction, so the report sees the old or the new numbers, never
half. The beat schedule rebuilds recent days often (with the figures of older days that cases changed since moved,
`LATE_FIGURES`) and the whole history nightly (reports.tasks, ADR 0005).

One module of producers per area, named as the `reports.metrics` sections that read their rows: `cases` (cases
opened, closes per root cause, remedies), `reviews`, `followups` (with deliveries' first contact), `letters`,
`logistics` (parcel delays); `refresh` runs them, with `LATE_FIGURES`, and holds the two entry points; `rows` holds
what they share; `deletions` marks the days whose figures counted a review or an order the admin deletes, which the
next frequent rebuild takes again.
"""

from .followups import CONTACT_BUCKETS
from .refresh import LATE_FIGURES, rollups_refresh, rollups_refresh_recent

__all__ = ["CONTACT_BUCKETS", "LATE_FIGURES", "rollups_refresh", "rollups_refresh_recent"]
