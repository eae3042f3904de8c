"""Lookups whose SQL depends on the database vendor, side by side.

`field__any_of=[...]`: membership in a long list (planning's tens of thousands of ids) as one array parameter on
PostgreSQL (`= ANY(%s)`). Django's `__in` prepares every value and writes one placeholder each, where that
preparation alone costs seconds. Against an array PostgreSQL hashes the list: at worst it scans the table once and
tests each row, whatever its statistics say.

`field__key_in=[...]`: a batch's keys (at most a request's 1,000) on a column that leads a unique index with the
filters beside it, such as (store, external_id). The array is unnested in a subquery
(`= ANY(SELECT unnest(%s::type[]))`) and joined as a set of keys, so each probe of the unique index is priced as
the one row it finds and the index serves the batch from ~30 rows a key on. Compared with the array instead, the
planner priced one scan of the whole table below 1,000 probes until the table held ~100 rows a key (ADR 0019).
Not for several lists in one query: the planner cannot tell how many distinct values an unnested list holds, and
with two of them (planning's merge, by customer and day, on a table without statistics) it tested every row
against every key, seconds where the array form takes milliseconds.

Other databases get a plain IN list for both.
"""

import re

from django.db.models import Field, ForeignObject, JSONField, Lookup


def _in_list(lhs: str, lhs_params, values: list):
    if not values:
        return "1 = 0", list(lhs_params)
    return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


class _KeysLookup(Lookup):
    """Membership in a list passed as one array parameter on PostgreSQL, a plain IN list elsewhere."""

    # The values go to the driver as they are (psycopg2 adapts a list to an array). Pass a set or dict keys:
    # Django walks a list or tuple on the right-hand side value by value before the lookup sees it.
    prepare_rhs = False

    def postgresql_condition(self, lhs: str, connection) -> str:
        raise NotImplementedError

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return self.postgresql_condition(lhs, connection), [*lhs_params, values]
        return _in_list(lhs, lhs_params, values)


@ForeignObject.register_lookup  # related fields keep their own lookup table
@Field.register_lookup
class AnyOf(_KeysLookup):
    lookup_name = "any_of"

    def postgresql_condition(self, lhs: str, connection) -> str:
        return f"{lhs} = ANY(%s)"


@ForeignObject.register_lookup
@Field.register_lookup
class KeyIn(_KeysLookup):
    lookup_name = "key_in"

    def postgresql_condition(self, lhs: str, connection) -> str:
        # An array of the column's type without its length: a cast to varchar(100) would cut a longer key down
        # to one that may be stored.
        element = re.sub(r"\(.*\)", "", self.lhs.output_field.cast_db_type(connection))
        return f"{lhs} = ANY(SELECT unnest(%s::{element}[]))"


@JSONField.register_lookup
class HasItem(Lookup):
    """`field__has_item="x"`: a JSON list holds the string x (a case's causes). PostgreSQL asks jsonb containment,
    SQLite walks the list with json_each."""

    lookup_name = "has_item"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} @> jsonb_build_array(%s::text)", [*lhs_params, str(self.rhs)]
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)", [*lhs_params, str(self.rhs)]  # noqa: S608  lhs is a column
