"""Registered document numbers: one series per issuer, kind of document and year (Decree 30/2020)."""

from django.db import IntegrityError, models, transaction

from org_hierarchy.models import OrgUnit


def next_number(counter_model: type[models.Model], *, issuer_unit: OrgUnit, year: int) -> int:
    """Take the issuer's counter for the year under a row lock and advance it (Decree 30/2020: unique per year).

    Concurrent documents of one issuer queue on the counter row, so numbers never repeat or skip; the counter is
    created on first use, and a concurrent first creator's insert fails on the unique constraint and then waits
    for the same row.
    """
    counters = counter_model.objects.select_for_update()
    counter = counters.filter(issuer_unit=issuer_unit, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter_model.objects.create(issuer_unit=issuer_unit, year=year, last_number=0)
        except IntegrityError:
            pass
        counter = counters.get(issuer_unit=issuer_unit, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number
