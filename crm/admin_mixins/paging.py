"""Pages of the admin's lists of tables that grow with the stores' business, without counting their rows (ADR 0033).

Django's paginator runs `SELECT COUNT(*)` of the filtered rows on every load of a list, to number its pages: on the
orders, follow-ups, reviews, messages, the audit and inbound logs of a live system, a read of every row (or every row
a filter keeps) for a figure nobody needs exactly. Here a list reads at most `exact_up_to + 1` of its ids, unsorted
(the first rows any plan finds, a LIMIT that stops the scan): fewer, and that is its exact count (a search, a small
table, a narrow filter); more, and the count is PostgreSQL's planner estimate (`crm.bulk.estimated_count`), shown as
"about N". The estimate may fall short of the rows (statistics older than the rows written since) or overshoot them,
so an estimated page reads one row past its own: if one follows, the next page is linked whatever the estimate says;
if none does, this is the last page, and no page past it is linked. Every page is reached from the one before it.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from crm.bulk import estimated_count


class BoundedCountPaginator(Paginator):
    # Ten pages of the admin's hundred rows are numbered exactly: a thousand ids read through a LIMIT.
    exact_up_to = 1000
    estimated = False
    # Once an estimated page is read: its number, and whether rows follow it.
    read_number: int | None = None
    rows_follow = False

    @cached_property
    def count(self) -> int:
        found = len(self.object_list.order_by().values_list("pk", flat=True)[: self.exact_up_to + 1])
        self.estimated = found > self.exact_up_to
        return max(estimated_count(self.object_list), found) if self.estimated else found

    def validate_number(self, number) -> int:
        if not self.count or not self.estimated:
            return super().validate_number(number)
        # An estimate may fall short of the rows: a page past it is still a page (page() finds whether it has rows).
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(_("That page number is not an integer")) from error
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    @property
    def num_pages(self) -> int:
        estimated_pages = Paginator.num_pages.func(self)
        if not self.estimated or self.read_number is None:
            return estimated_pages
        # Rows after the page read: the next page, or the estimate's last if further. None: the page read is the last.
        return max(estimated_pages, self.read_number + 1) if self.rows_follow else self.read_number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        if not self.estimated:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])  # one past the page: does another follow?
        if not rows and number > 1:
            # Past the last row (an estimate that overshot): refused as Django refuses a page past its count.
            raise EmptyPage(self.error_messages["no_results"])
        self.read_number, self.rows_follow = number, len(rows) > self.per_page
        return self._get_page(rows[: self.per_page], number, self)
