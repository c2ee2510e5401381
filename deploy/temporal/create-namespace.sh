#!/bin/sh
# The namespace Safeside runs in (NAMESPACE), created on first start, with the retention of
# closed workflows' histories (RETENTION, e.g. 30d) set on every start. Run by the one-shot
# `temporal-namespace` service (docker-compose.yml) once the server is healthy; the workers
# start when it has finished.
set -eu

: "${NAMESPACE:?}" "${RETENTION:?}"

# The frontend learns of a new namespace from its cache, refreshed every few seconds; until
# then calls in the namespace are refused, so wait until one is served.
wait_until_served() {
    attempt=1
    until temporal workflow count --namespace "$NAMESPACE" >/dev/null 2>&1; do
        if [ "$attempt" -ge 60 ]; then
            echo "namespace $NAMESPACE is still not served after $attempt attempts" >&2
            exit 1
        fi
        attempt=$((attempt + 1))
        sleep 1
    done
}

if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
    wait_until_served
    temporal operator namespace update --namespace "$NAMESPACE" --retention "$RETENTION"
    echo "namespace $NAMESPACE: retention $RETENTION"
else
    temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
    wait_until_served
    echo "namespace $NAMESPACE created: retention $RETENTION"
fi
