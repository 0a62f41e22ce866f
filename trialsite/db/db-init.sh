#!/bin/sh
# Runs once, when the postgres container first initialises its volume (as the image's superuser).
# Two roles, as Trialsite expects (docs/database.md): the owner runs migrations and owns every
# table; the app role, which the web processes use, owns nothing.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$TRIALSITE_OWNER_PASSWORD" -v app_password="$TRIALSITE_APP_PASSWORD" <<'SQL'
CREATE ROLE trialsite_owner LOGIN NOSUPERUSER NOCREATEROLE CREATEDB PASSWORD :'owner_password';
CREATE ROLE trialsite_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'app_password';
CREATE DATABASE trialsite OWNER trialsite_owner;
SQL
