#!/bin/sh
# Temporal's schema in its two databases (made by deploy/postgres/init-databases.sh), brought
# up to the version this admin-tools image carries. Run by the one-shot `temporal-schema`
# service before every start of the server (docker-compose.yml): a version already applied is
# skipped, so a start with an unchanged image changes nothing, and a newer image (an upgrade)
# applies only its new steps. temporal-sql-tool reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER
# and SQL_PASSWORD from the environment.
set -eu

schema=/etc/temporal/schema/postgresql/v12
for database in temporal temporal_visibility; do
    case "$database" in
        temporal) versions="$schema/temporal/versioned" ;;
        *) versions="$schema/visibility/versioned" ;;
    esac
    temporal-sql-tool --db "$database" setup-schema -v 0.0
    temporal-sql-tool --db "$database" update-schema -d "$versions"
done
echo "Temporal schema up to date"
