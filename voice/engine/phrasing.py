"""Optional LLM phrasing of the engine's replies (REPLY_PROVIDER=openai).

The templates of replies.py are the truth: they are exact about names and
money. An LLM may only say the same thing more naturally, so its answer is
used when it keeps every figure and every name of the template reply, stays
short enough to speak, and arrives within REPLY_TIMEOUT_SECONDS; otherwise the
template stands. Phrasing never runs inside a database transaction: a slow
model must not hold a customer's row locks (an idempotent API call runs the
command in one), so there the template stands too.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# "1,250", "1,00,000", "0.50", "500": compared without their grouping commas.
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
# A capitalised Latin word that does not open a sentence: a name ("Ramesh", "INV/26-27/0004").
_NAME = re.compile(r"(?<![.!?।]\s)(?<!^)\b[A-Z][\w/-]+")
_LANG_NAMES = {"hi": "Hindi in Devanagari script", "en": "English", "hinglish": "Hinglish"}

SYSTEM_PROMPT = """\
You rephrase one spoken reply of a kirana shop's khata app so it sounds natural \
when read aloud to the shopkeeper. Keep the language: {language}. Keep every \
number exactly as written (digits and commas) and every name exactly as written. \
Do not add facts, advice, greetings or questions. At most two short sentences. \
Answer with the reply only."""


def _figures(text: str) -> Counter[str]:
    return Counter(match.replace(",", "") for match in _FIGURE.findall(text))


def _names(text: str, data: Any) -> set[str]:
    """Names the reply must keep: those in the result's data, and capitalised words mid-sentence."""
    found = set(_NAME.findall(text.strip()))
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            found.update(
                v for k, v in value.items() if k in ("name", "number") and isinstance(v, str)
            )
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return {name for name in found if name and name in text}


def keeps_the_facts(template: str, phrased: str, data: Any = None) -> bool:
    """Whether `phrased` says every figure and name of `template`, and nothing longer to speak."""
    if not phrased or "\n" in phrased.strip() or len(phrased) > 2 * len(template) + 40:
        return False
    if _figures(phrased) != _figures(template):
        return False
    return all(name in phrased for name in _names(template, data))


_clients: dict[tuple, Any] = {}
_lock = threading.Lock()


def _client() -> Any:
    import openai  # imported here: the template path never pays for the SDK

    key = (settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, settings.REPLY_TIMEOUT_SECONDS)
    with _lock:
        if key not in _clients:
            # No retries: the shopkeeper is waiting, and the template is ready.
            _clients[key] = openai.OpenAI(
                api_key=settings.OPENAI_API_KEY,
                base_url=settings.OPENAI_BASE_URL,
                timeout=float(settings.REPLY_TIMEOUT_SECONDS),
                max_retries=0,
            )
        return _clients[key]


def phrasing_request(reply: str, *, lang: str) -> dict[str, Any]:
    """The keyword arguments of the chat completions call that phrases `reply`."""
    language = _LANG_NAMES.get(lang, "the language of the reply")
    return {
        "model": settings.OPENAI_MODEL,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT.format(language=language)},
            {"role": "user", "content": reply},
        ],
        "temperature": 0.3,
        "max_tokens": 120,
    }


def reply_phrase(reply: str, *, lang: str, data: Any = None) -> str:
    """The reply as the configured provider phrases it; the template on any doubt."""
    if settings.REPLY_PROVIDER != "openai" or not reply.strip():
        return reply
    if transaction.get_connection().in_atomic_block:
        return reply
    import openai

    try:
        completion = _client().chat.completions.create(**phrasing_request(reply, lang=lang))
        phrased = (completion.choices[0].message.content or "").strip()
    except (openai.OpenAIError, AttributeError, IndexError, TypeError) as error:
        logger.warning(
            "reply phrasing failed, using the template", extra={"error": str(error)[:200]}
        )
        return reply
    if not keeps_the_facts(reply, phrased, data):
        logger.info("reply phrasing dropped a fact, using the template")
        return reply
    return phrased
