"""Pages of the admin's lists of tables that grow with the stores' business, without counting their rows (ADR 0033).

Django's paginator runs `SELECT COUNT(*)` of the filtered rows on every load of a list, to number its pages: on the
orders, follow-ups, reviews, messages, the audit and inbound logs of a live system, a read of every row (or every row
a filter keeps) for a figure nobody needs exactly. Here a list reads at most `exact_up_to + 1` of its ids, unsorted
(the first rows any plan finds, a LIMIT that stops the scan): fewer, and that is its exact count (a search, a small
table, a narrow filter); more, and the count is PostgreSQL's planner estimate (`crm.bulk.estimated_count`), shown as
"about N", and every page past the estimate is still reached by its number.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm.bulk import estimated_count


class BoundedCountPaginator(Paginator):
    # Ten pages of the admin's hundred rows are numbered exactly: a thousand ids read through a LIMIT.
    exact_up_to = 1000
    estimated = False

    @cached_property
    def count(self) -> int:
        found = len(self.object_list.order_by().values_list("pk", flat=True)[: self.exact_up_to + 1])
        self.estimated = found > self.exact_up_to
        return max(estimated_count(self.object_list), found) if self.estimated else found

    def validate_number(self, number) -> int:
        if not self.count or not self.estimated:
            return super().validate_number(number)
        # An estimate may fall short of the rows: a page past it is still a page (empty past the last row).
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(_("That page number is not an integer")) from error
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if not self.estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
