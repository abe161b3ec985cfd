"""Paging through a list without counting it.

Django's paginator counts the whole list before it shows a page. Over a scope as wide as a ministry's (every
process of a branch) the count is the costly part of the page: PostgreSQL must build the whole visible set to count
it, while the page itself is read along the creation-time index and stops after one more row than it shows. These
pages say "1–25" with links to the newer and older pages, as a mail inbox does, and never the total.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

# Databases read a row offset as a signed 64-bit integer: a page beyond it has no rows, and must not reach them.
OFFSET_MAX = 2**63 - 1


class UncountedPage(Page):
    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    def start_index(self) -> int:
        if not self.object_list:
            return 0
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class UncountedPaginator(Paginator):
    """A paginator that reads one row past the page to know whether another follows, and never counts."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, error_messages=None):
        # Orphans would need the total: the last page may be short.
        super().__init__(object_list, per_page, 0, allow_empty_first_page, error_messages)

    @property
    def count(self):
        return None

    @property
    def num_pages(self):
        return None

    def validate_number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number * self.per_page + 1 > OFFSET_MAX:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number) -> UncountedPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return UncountedPage(rows[: self.per_page], number, self, has_next=len(rows) > self.per_page)
