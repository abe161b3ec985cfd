"""Registered numbers: one series per issuer and kind (per year for documents, Decree 30/2020), taken under a lock."""

from django.db import IntegrityError, models, transaction

from org_hierarchy.models import OrgUnit


def take_numbers(counter_model: type[models.Model], *, count: int = 1, **series) -> range:
    """Take the next ``count`` numbers of the series ``series`` (the counter's key fields) under a row lock.

    Concurrent takers of one series queue on the counter row, so numbers never repeat or skip; the counter is
    created on first use, and a concurrent first creator's insert fails on the unique constraint and then waits
    for the same row.
    """
    counters = counter_model.objects.select_for_update()
    counter = counters.filter(**series).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter_model.objects.create(**series, last_number=0)
        except IntegrityError:
            pass
        counter = counters.get(**series)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return range(first, counter.last_number + 1)


def next_number(counter_model: type[models.Model], *, issuer_unit: OrgUnit, year: int) -> int:
    """The issuer's next document number of the year (unique per year, Decree 30/2020)."""
    return take_numbers(counter_model, issuer_unit=issuer_unit, year=year)[0]
