"""Page-number pagination by default; cursor pagination for long, append-only lists."""

from __future__ import annotations

from rest_framework import pagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`; page_size is capped at MAX_PAGE_SIZE, a page past the end is 404."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class CursorPagination(pagination.CursorPagination):
    """Stable pages over lists that grow while read (ledger entries): newest first by pk."""

    ordering = "-pk"
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
