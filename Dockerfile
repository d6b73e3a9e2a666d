# Bayegan worker image: one image for worker, beat, flower and the `bayegan` CLI.
FROM python:3.12-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BAYEGAN_ARCHIVE_DIR=/data/archive \
    BAYEGAN_LOG_JSON=1

WORKDIR /app

# Dependencies first (cached layer): copy only what pip needs to resolve them.
COPY pyproject.toml README.md ./
COPY parsers ./parsers
COPY storage ./storage
COPY worker ./worker
RUN pip install ".[postgres,parquet,flower]" \
    && useradd --create-home --uid 10001 bayegan \
    && mkdir -p /data/archive && chown -R bayegan:bayegan /data

USER bayegan
VOLUME ["/data/archive"]
# 9808: Prometheus metrics of the worker; 5555: Flower.
EXPOSE 9808 5555

CMD ["celery", "-A", "worker.daemon.app", "worker", "-Q", "discover,fetch,parse,store,reingest", "--concurrency", "2", "-E"]
