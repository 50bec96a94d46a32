# Production image: the same code runs as web (daphne), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    EXECORA_VAR_DIR=/var/lib/execora

RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng libpq5 fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY execora ./execora
COPY customers ./customers
COPY products ./products
COPY invoices ./invoices
COPY ledger ./ledger
COPY reminders ./reminders
COPY voice ./voice
COPY templates ./templates
COPY manage.py ./
RUN pip install . && useradd --system --home /app execora \
    && mkdir -p /var/lib/execora && chown execora /var/lib/execora

# collectstatic needs settings that import cleanly; a throwaway key is enough here.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER execora
EXPOSE 8000
# uvicorn serves HTTP and the Channels WebSockets (execora.asgi) from WEB_CONCURRENCY
# worker processes on one socket: a process runs Python on one core at a time, so
# about one per CPU (docs/benchmarks.md); each has its own PostgreSQL pool
# (DATABASE_POOL_MAX_SIZE). --no-proxy-headers: behind a proxy, set TRUSTED_PROXY_COUNT
# instead, so a client cannot spoof its address (and with it the per-IP login lockout).
# 16 MiB = VOICE_WS_MAX_MESSAGE_BYTES: larger voice frames are answered by the consumer.
# Django speaks no ASGI lifespan.
ENV WEB_CONCURRENCY=2
CMD ["uvicorn", "execora.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--ws-max-size", "16777216", "--lifespan", "off", "--no-proxy-headers"]
