# The Safeside image: `safeside worker`, `safeside api`, `safeside db migrate` (docker-compose.yml).
# The virtualenv is built in the first stage; the final stage gets only the virtualenv, on the
# same slim base (no compiler, no pip cache), and runs as an unprivileged numeric user.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY safeside safeside
COPY workflows workflows
COPY activities activities
COPY starter starter
COPY worker.py ./
RUN python -m venv /opt/safeside \
 && /opt/safeside/bin/pip install --no-cache-dir --constraint constraints.txt .

FROM python:3.11-slim-bookworm
# The API's access-log spool (SAFESIDE_SPOOL_DIR in docker-compose.yml): a named volume
# mounted here starts with this folder's owner and mode.
RUN groupadd --gid 10001 safeside \
 && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin safeside \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/safeside/spool
COPY --from=build /opt/safeside /opt/safeside
ENV PATH=/opt/safeside/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
WORKDIR /home/safeside
# The HTTP API (SAFESIDE_API_PORT) and the worker's health and metrics (docker-compose.yml).
EXPOSE 8280 8281 9464
CMD ["safeside", "worker"]
