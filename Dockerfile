# The Safeside image: workers and (later) the API. Build tools stay in the first stage.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY safeside safeside
COPY workflows workflows
COPY activities activities
COPY starter starter
COPY worker.py ./
RUN python -m venv /opt/safeside \
 && /opt/safeside/bin/pip install --no-cache-dir --constraint constraints.txt .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 safeside
COPY --from=build /opt/safeside /opt/safeside
ENV PATH=/opt/safeside/bin:$PATH PYTHONUNBUFFERED=1
USER safeside
WORKDIR /home/safeside
CMD ["safeside", "worker"]
