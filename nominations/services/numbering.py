"""Registered numbers: one series per issuer and kind (per year for documents, Decree 30/2020), taken under a lock."""

from django.db import IntegrityError, connection, models, transaction

from org_hierarchy.models import OrgUnit


def take_numbers(counter_model: type[models.Model], *, count: int = 1, **series) -> range:
    """Take the next ``count`` numbers of the series ``series`` (the counter's key fields) under a row lock.

    One statement moves the counter and returns where it stands (``UPDATE … RETURNING``, which locks the row until
    the commit), so concurrent takers of one series queue on the counter row and numbers never repeat or skip; the
    counter is created on first use, and a concurrent first creator's insert fails on the unique constraint and
    then waits for the same row.
    """
    last = _advance(counter_model, count, series)
    if last is None:
        try:
            with transaction.atomic():
                counter_model.objects.create(**series, last_number=0)
        except IntegrityError:
            pass
        last = _advance(counter_model, count, series)
    return range(last - count + 1, last + 1)


def _advance(counter_model: type[models.Model], count: int, series: dict) -> int | None:
    """Add ``count`` to the series' counter and return its new last number (None when it has no counter yet)."""
    meta = counter_model._meta
    quote = connection.ops.quote_name
    column = quote(meta.get_field("last_number").column)
    where, params = [], [count]
    for name, value in series.items():
        field = meta.get_field(name)
        where.append(f"{quote(field.column)} = %s")
        params.append(value.pk if isinstance(value, models.Model) else value)
    sql = f"UPDATE {quote(meta.db_table)} SET {column} = {column} + %s WHERE {' AND '.join(where)} RETURNING {column}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def next_number(counter_model: type[models.Model], *, issuer_unit: OrgUnit, year: int) -> int:
    """The issuer's next document number of the year (unique per year, Decree 30/2020)."""
    return take_numbers(counter_model, issuer_unit=issuer_unit, year=year)[0]
