#!/bin/sh
# Run once by the postgres image, when its data volume is empty (docker-compose.yml): a role
# and databases for Temporal (its own and its visibility store), a role and a database for
# Safeside. Each owns only its own databases. Passwords come from the environment (.env).
# Written to work whether the image runs it or sources it (it sources a script that is not
# executable): no `set` here, and the entrypoint already stops at the first failure.

: "${POSTGRES_TEMPORAL_PASSWORD:?set POSTGRES_TEMPORAL_PASSWORD in .env}"
: "${POSTGRES_SAFESIDE_PASSWORD:?set POSTGRES_SAFESIDE_PASSWORD in .env}"

# psql's :'name' quotes each password as a literal, whatever characters it holds.
psql --set ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    --set temporal_password="$POSTGRES_TEMPORAL_PASSWORD" \
    --set safeside_password="$POSTGRES_SAFESIDE_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;

CREATE ROLE safeside LOGIN PASSWORD :'safeside_password';
CREATE DATABASE safeside OWNER safeside;

-- Nobody but the owners connects to their databases.
REVOKE CONNECT ON DATABASE temporal, temporal_visibility, safeside FROM PUBLIC;
SQL
