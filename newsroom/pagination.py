"""Numbered pages of stories that stay cheap however large the archive grows."""

from django.core.paginator import EmptyPage, InvalidPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

PAGE_SIZE = 20
MAX_PAGES = 100


class BoundedPaginator(Paginator):
    """Numbered pages over at most MAX_PAGES pages: counting and OFFSET stay cheap however big the archive.

    Older stories remain reachable through sections, tags, regions and search with dates.
    """

    @cached_property
    def count(self):
        # Neither the order nor the annotations change how many rows there are; without them the
        # count is read from an index.
        return self.object_list.order_by().values("pk")[: self.per_page * self.page_limit()].count()

    def page_limit(self):
        return MAX_PAGES

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not bottom:
            return self._get_page(self.object_list[: self.per_page], number, self)
        # Deep pages: skip the earlier rows in the index alone, then read only this page's rows.
        keys = self.object_list.values("pk")[bottom : bottom + self.per_page]
        return self._get_page(self.object_list.filter(pk__in=keys)[: self.per_page], number, self)


class CountedPaginator(BoundedPaginator):
    """Pages of a queryset that carries its own size as a `total` annotation: one query per page."""

    def page(self, number):
        number = self.validate_number_format(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        self.count = min(rows[0].total if rows else 0, self.per_page * self.page_limit())
        return self._get_page(rows, self.validate_number(number), self)

    def validate_number_format(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > self.page_limit():  # before an OFFSET past what PostgreSQL's bigint holds is asked for
            raise EmptyPage(self.error_messages["no_results"])
        return number


def paginate(request, queryset, per_page=None, paginator_class=BoundedPaginator):
    paginator = paginator_class(queryset, per_page or PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(_("Такой страницы нет.")) from error
    page.page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
