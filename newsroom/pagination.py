"""Numbered pages of stories that stay cheap however large the archive grows."""

from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from newsroom.caching import kept

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
        return self._get_page(self.rows_of(keys), number, self)

    def rows_of(self, keys):
        """The rows of the list with these keys, in the list's order."""
        return self.object_list.filter(pk__in=keys)[: self.per_page]

    def kept_page(self, number, kept_as):
        """Page `number`, its keys and the list's count kept per content generation under `kept_as`.

        Until the content changes, a page reads only its own rows, by key: no count, no OFFSET, no ranking.
        Stored from the second miss in a process, like a page (settings.NEWSROOM_PAGE_CACHE_STORE_AFTER).
        """
        number = self.validate_number_format(number)
        read = {}

        def read_page():
            read["page"] = page = self.page(number)
            return [row.pk for row in page.object_list], self.count

        keys, count = kept(
            "list-page", *kept_as, number, compute=read_page, store_after=settings.NEWSROOM_PAGE_CACHE_STORE_AFTER
        )
        if "page" in read:
            return read["page"]
        self.count = count
        return self._get_page(self.rows_of(keys), self.validate_number(number), self)

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


class CountedPaginator(BoundedPaginator):
    """Pages of a queryset that carries its own size as a `total` annotation: one query per page."""

    def page(self, number):
        number = self.validate_number_format(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        self.count = min(rows[0].total if rows else 0, self.per_page * self.page_limit())
        return self._get_page(rows, self.validate_number(number), self)


def paginate(request, queryset, per_page=None, paginator_class=BoundedPaginator, kept_as=()):
    """The page of `queryset` that the request asks for (404 for one that does not exist).

    With `kept_as`, the list's name and what else it depends on (its section, tag, query…), the page's keys
    and the list's count are kept per content generation (BoundedPaginator.kept_page).
    """
    paginator = paginator_class(queryset, per_page or PAGE_SIZE)
    number = request.GET.get("page") or 1
    try:
        page = paginator.kept_page(number, kept_as) if kept_as else paginator.page(number)
    except InvalidPage as error:
        raise Http404(_("Такой страницы нет.")) from error
    page.page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
