"""Login lockout: a password is checked only while the username and the address have attempts left.

DRF throttling reads a counter, decides, then writes it back, so thirty
concurrent guesses all see "4 so far" and all get through. Here one Redis Lua
script checks both counters and reserves an attempt atomically *before* the
password is checked, so at most LOGIN_LOCKOUT_ATTEMPTS passwords are ever
compared per username per window, however many requests race. A successful
login gives its reservation back, so only failures count.

The hook is the authentication backend, so every `authenticate()` call with a
password goes through it: the login page, the admin login and the API token
endpoint. A locked attempt raises `LoginLocked`, a Django ValidationError, so
login forms show its message as a form error and the token endpoint answers
429 with Retry-After.

Without REDIS_URL (the embedded `make run`) the counters live in the Django
cache (local memory): correct within one process only, which is what the
embedded demo runs.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext

from execora.api.client_ip import client_ip

logger = logging.getLogger(__name__)

KEY_PREFIX = "execora:lockout"

# KEYS: counters; ARGV[1]: window seconds; ARGV[2..]: the limit of each key.
# Returns 0 when an attempt was reserved on every key, else the seconds until
# the longest-locked key frees up (nothing is incremented then).
_RESERVE = """
local wait = 0
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 0 then
      redis.call('EXPIRE', key, ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[1]) end
end
return 0
"""

# Gives a reservation back; never creates a key (a DECR on a missing key would
# leave a counter with no expiry).
_RELEASE = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""


class LoginLocked(ValidationError):
    """Too many failed logins for this username or address; `retry_after` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        minutes = -(-self.retry_after // 60)
        self.message_hi = f"बहुत बार गलत पासवर्ड डाला गया। {minutes} मिनट बाद फिर कोशिश करें।"
        super().__init__(
            gettext("Too many failed login attempts. Try again in %(minutes)d minute(s).")
            % {"minutes": minutes},
            code="login_locked",
        )


@dataclass(frozen=True)
class Attempt:
    """The counters one login attempt reserved, to give back when it succeeds."""

    keys: tuple[str, ...]


def _username_key(username: str) -> str:
    # Hashed: usernames are user input and may be long or odd; casefolded so
    # "Owner" and "owner" share one budget (locking more is the safe side).
    digest = hashlib.sha256(username.casefold().encode("utf-8", "replace")).hexdigest()[:32]
    return f"{KEY_PREFIX}:user:{digest}"


def _ip_key(ip: str) -> str:
    return f"{KEY_PREFIX}:ip:{ip}"


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def redis_client() -> redis.Redis:
    """A client of REDIS_URL of its own, independent of the cache backend's key prefixing."""
    return _redis(settings.REDIS_URL)


def _limits(username: str, ip: str | None) -> list[tuple[str, int]]:
    limits = [(_username_key(username), settings.LOGIN_LOCKOUT_ATTEMPTS)]
    if ip is not None:
        limits.append((_ip_key(ip), settings.LOGIN_LOCKOUT_IP_ATTEMPTS))
    return limits


def _reserve_in_cache(limits: list[tuple[str, int]], window: int) -> int:
    """Fallback without Redis: cache.add/incr are atomic within one process only."""
    now = time.time()
    wait = 0
    for key, limit in limits:
        if (cache.get(key) or 0) >= limit:
            wait = max(wait, int((cache.get(f"{key}:until") or now + window) - now) + 1)
    if wait:
        return wait
    taken: list[str] = []
    for key, limit in limits:
        if cache.add(key, 0, window):
            cache.set(f"{key}:until", now + window, window)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            used = 1
        taken.append(key)
        if used > limit:
            for done in taken:
                cache.decr(done)
            return int((cache.get(f"{key}:until") or now + window) - now) + 1
    return 0


def login_attempt_begin(*, username: str, ip: str | None) -> Attempt:
    """Reserve one password check for `username` from `ip`; raise LoginLocked when none is left."""
    limits = _limits(username, ip)
    window = settings.LOGIN_LOCKOUT_WINDOW_SECONDS
    if settings.REDIS_URL:
        keys = [key for key, _ in limits]
        args = [window, *(limit for _, limit in limits)]
        wait = int(redis_client().eval(_RESERVE, len(keys), *keys, *args))
    else:
        wait = _reserve_in_cache(limits, window)
    if wait:
        logger.warning("login locked", extra={"ip": ip, "retry_after": wait})
        raise LoginLocked(wait)
    return Attempt(keys=tuple(key for key, _ in limits))


def login_attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: give the reservation back so only failures count."""
    if settings.REDIS_URL:
        redis_client().eval(_RELEASE, len(attempt.keys), *attempt.keys)
        return
    for key in attempt.keys:
        if (cache.get(key) or 0) > 0:
            cache.decr(key)


def lockout_reset() -> None:
    """Forget every lockout counter (tests, and an operator unlocking after an incident)."""
    if settings.REDIS_URL:
        client = redis_client()
        # Ours, and any the cache fallback left under the cache's key prefix.
        for pattern in (f"{KEY_PREFIX}:*", cache.make_key(f"{KEY_PREFIX}:*")):
            keys = list(client.scan_iter(match=pattern, count=500))
            if keys:
                client.delete(*keys)
    else:
        cache.clear()


class LockoutModelBackend(ModelBackend):
    """Django's ModelBackend behind the lockout. Replaces ModelBackend in AUTHENTICATION_BACKENDS.

    Without a request (management commands, the test client's login()) only the
    username budget applies, since there is no client address.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_ip(request) if request is not None else None
        attempt = login_attempt_begin(username=str(username), ip=ip)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            login_attempt_succeeded(attempt)
        return user
