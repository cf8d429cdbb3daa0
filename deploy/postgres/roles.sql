-- Two roles for IF.emotion Clinician (run once as a PostgreSQL superuser: psql -f roles.sql).
-- ifemotion_owner owns the database objects and runs migrations; ifemotion_app is what the web app
-- and the archiver connect as. The app role owns nothing, so it cannot drop or disable the audit
-- log's append-only triggers, and it may only INSERT and SELECT the audit table.
-- Replace both passwords.

CREATE ROLE ifemotion_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE ifemotion_app LOGIN PASSWORD 'change-me-app';
CREATE DATABASE ifemotion OWNER ifemotion_owner;
\connect ifemotion
-- Nobody but the owner creates objects in the schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO ifemotion_owner;

-- Then, after every deployment (as the owner):
--   DATABASE_URL=postgres://ifemotion_owner:...@127.0.0.1:5432/ifemotion manage.py migrate
--   DATABASE_URL=postgres://ifemotion_owner:...@127.0.0.1:5432/ifemotion manage.py grant_runtime_role ifemotion_app
-- and run the app with DATABASE_URL=postgres://ifemotion_app:...@127.0.0.1:5432/ifemotion
