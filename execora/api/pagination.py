"""Page-number pagination by default; cursor pagination for long, append-only lists."""

from __future__ import annotations

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`; page_size is capped at MAX_PAGE_SIZE, a page past the end is 404."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        # DRF silently ignores a page_size it cannot read; refuse it instead, so a
        # client learns of its mistake (and the API rejects what its schema forbids).
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return min(int(raw), self.max_page_size)

    def get_page_number(self, request, paginator) -> str | int:
        # DRF reads "?page=" as page 1; an empty page is as invalid as "?page=abc" (404).
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound(self.invalid_page_message.format(page_number="", message="empty"))
        return super().get_page_number(request, paginator)


class CursorPagination(pagination.CursorPagination):
    """Stable pages over lists that grow while read (ledger entries): newest first by pk."""

    ordering = "-pk"
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    # The same refusal of a page_size it cannot read.
    get_page_size = PageNumberPagination.get_page_size
