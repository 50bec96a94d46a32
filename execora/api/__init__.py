"""The REST API v1 edge: authentication, shop scoping, errors, throttling, idempotency.

Resource viewsets live in each app's `apis.py` and stand on the pieces here:
`ShopScopedModelViewSet` (viewsets), `idempotent` (idempotency), `owner_only`
and `owner_only_actions` (permissions), and one exception handler for every error.
"""
