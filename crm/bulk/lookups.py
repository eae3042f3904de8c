"""`field__any_of=[...]`: membership in a large list as one array parameter on PostgreSQL (`= ANY(%s)`).

Django's `__in` prepares every value and writes one placeholder each; planning asks about tens of thousands
of ids at once, where that preparation alone costs seconds. Other databases get a plain IN list.
"""

from django.db.models import Field, ForeignObject, Lookup


@ForeignObject.register_lookup  # related fields keep their own lookup table
@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"
    # The values go to the driver as they are (psycopg2 adapts a list to an array). Pass a set or dict keys:
    # Django walks a list or tuple on the right-hand side value by value before the lookup sees it.
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
