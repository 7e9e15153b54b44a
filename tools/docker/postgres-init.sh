#!/bin/sh
# One PostgreSQL role per service, owning its own database and nothing else (docs/security.md).
# Run by the postgres image once, when its volume is first created; the passwords come from
# .env through docker-compose.yml (<SERVICE>_DB_PASSWORD). No other role may connect to a
# service's database.
set -e
for database in policy payment logger image_gen price_oracle batch_compute log_archive gateway; do
  variable="$(echo "$database" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="$(printenv "$variable" || true)"
  if [ -z "$password" ]; then
    echo "postgres-init: $variable is not set (run \`npm run env\`)" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v role="$database" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
