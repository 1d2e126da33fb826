"""``field__any_of=[...]``: the ``in`` lookup, sent to PostgreSQL as ``= ANY(%s)`` with one array parameter.

Why: an import writes batches of thousands of treaties and looks up their ids, slugs
and registration numbers in bulk. As ``IN (...)`` every value is a parameter
that Django prepares one by one and psycopg splits out of the SQL text again:
at 250,000 treaties that was about 10% of the import's Python time. As
``= ANY(array)`` the list is one parameter, and PostgreSQL plans it the same
way (an index lookup per value). Other databases, and subqueries, use ``IN``.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


@Field.register_lookup
@ForeignObject.register_lookup  # related fields keep lookups of their own: ids only here, not instances
class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in dict.fromkeys(self.rhs)]
        values = [v for v in values if v is not None]  # NULL is never equal to anything
        if not values:
            raise EmptyResultSet
        return f"{lhs} = ANY(%s)", (*lhs_params, values)
