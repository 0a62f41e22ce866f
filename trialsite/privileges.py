"""What the application's database role may do, and the guards the owner installs.

Applied by the owner role after every ``migrate`` (``trialsite.apps``), so a
table added later by any app gets the right privileges without a change here:

* every table: SELECT, INSERT, UPDATE — never TRUNCATE, never DELETE, never ownership
  (so no ALTER TABLE … DISABLE TRIGGER, no DROP);
* DELETE only on tables matching ``settings.DATABASE_APP_MAY_DELETE`` (sessions,
  cache, sign-in throttling, API tokens, group membership: nothing clinical);
* pghistory event tables: SELECT, INSERT (no UPDATE); the audit chain: SELECT only;
* ``pghistory_context``: UPDATE is needed by pghistory inside the transaction that
  writes an event, so a trigger refuses any change to a context committed earlier
  (adding keys to it is all pghistory ever does later);
* statement-level TRUNCATE guards on clinical, event and context tables;
* every event is sealed into the hash chain when its transaction commits
  (``trialsite.auditchain``).

The guards are plain triggers owned by the owner role: the app role can neither
drop nor disable them. ``SET LOCAL pgtrigger.ignore`` is void for the app role
(only the owner's sessions may switch pgtrigger's triggers off), so it can skip
neither a protection trigger nor the history triggers.
"""

from __future__ import annotations

from fnmatch import fnmatch

from django.apps import apps
from django.conf import settings
from pghistory.models import Event

from trialsite.db.base import is_owner_session

CONTEXT_TABLE = "pghistory_context"
SEAL_TABLE = "trialsite_auditseal"
CHAIN_LOCK = 7_220_417  # advisory lock serialising the chain's appends

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION trialsite_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('trialsite.flush_test_database', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'TRUNCATE of % is refused: clinical records and their audit trail are never deleted',
    TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

-- pgtrigger's switch (SET LOCAL pgtrigger.ignore) is honoured only for the owner of the tables (and
-- superusers): for the app role it is void, so it can neither skip a protection nor the history
-- triggers. pgtrigger re-creates this function when it installs a trigger; every migrate ends by
-- putting this version back.
CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name NAME) RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
DECLARE _pgtrigger_ignore TEXT[];
BEGIN
  BEGIN
    SELECT INTO _pgtrigger_ignore CURRENT_SETTING('pgtrigger.ignore');
  EXCEPTION WHEN OTHERS THEN
  END;
  IF _pgtrigger_ignore IS NULL OR NOT trigger_name = ANY (_pgtrigger_ignore) THEN
    RETURN FALSE;
  END IF;
  RETURN pg_has_role(current_user,
    (SELECT proowner FROM pg_proc WHERE oid = 'public._pgtrigger_should_ignore(name)'::regprocedure), 'MEMBER');
END $$;

CREATE OR REPLACE FUNCTION trialsite_guard_context() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id = OLD.id AND NEW.created_at = OLD.created_at
     AND (OLD.created_at = now() OR NEW.metadata @> OLD.metadata) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the context (who, where, why) of committed audit events cannot be changed'
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION trialsite_audit_hash(
  p_table text, p_event jsonb, p_columns text[], p_context jsonb, p_previous text
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|', p_previous, p_table,
    (SELECT coalesce(jsonb_object_agg(key, value), '{{}}'::jsonb) FROM jsonb_each(p_event)
     WHERE key = ANY (p_columns))::text,
    coalesce(p_context::text, 'null')), 'UTF8')), 'hex')
$$;

CREATE OR REPLACE FUNCTION trialsite_audit_digest(
  p_table text, p_event_id bigint, p_columns text[], p_context jsonb, p_previous text
) RETURNS text LANGUAGE plpgsql STABLE
SET search_path = public, pg_temp SET timezone = 'UTC' SET extra_float_digits = 1 AS $$
DECLARE event jsonb;
BEGIN
  BEGIN
    EXECUTE format('SELECT to_jsonb(e) FROM %I e WHERE e.pgh_id = $1', p_table) INTO event USING p_event_id;
  EXCEPTION WHEN undefined_table OR undefined_column THEN
    RETURN NULL;
  END;
  IF event IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN trialsite_audit_hash(p_table, event, p_columns, p_context, p_previous);
END $$;

CREATE OR REPLACE FUNCTION trialsite_audit_append(p_table text, p_event jsonb)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE head text; ctx jsonb; cols text[]; context_id uuid := (p_event ->> 'pgh_context_id')::uuid;
BEGIN
  PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
  SELECT digest INTO head FROM {SEAL_TABLE} ORDER BY id DESC LIMIT 1;
  head := coalesce(head, '');
  IF context_id IS NOT NULL THEN
    SELECT metadata INTO ctx FROM {CONTEXT_TABLE} WHERE id = context_id;
  END IF;
  cols := ARRAY(SELECT jsonb_object_keys(p_event) ORDER BY 1);
  INSERT INTO {SEAL_TABLE} (event_table, event_id, context_id, context, columns, previous, digest, sealed_at)
  VALUES (p_table, (p_event ->> 'pgh_id')::bigint, context_id, ctx, cols, head,
          trialsite_audit_hash(p_table, p_event, cols, ctx, head), now());
END $$;
DROP FUNCTION IF EXISTS trialsite_audit_append(text, bigint, uuid);
REVOKE ALL ON FUNCTION trialsite_audit_append(text, jsonb) FROM PUBLIC;

-- The event row as JSON, rendered the same way whoever's session seals or verifies it.
CREATE OR REPLACE FUNCTION trialsite_audit_seal() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp SET timezone = 'UTC' SET extra_float_digits = 1 AS $$
BEGIN
  PERFORM trialsite_audit_append(TG_TABLE_NAME::text, to_jsonb(NEW));
  RETURN NULL;
END $$;
"""


def event_tables() -> list[str]:
    """Tables of pghistory event models (append-only, sealed into the chain)."""
    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, Event) and m._meta.managed and not m._meta.proxy and hasattr(m, "pgh_tracked_model")
    )


def tracked_tables() -> list[str]:
    """Tables of the clinical models pghistory tracks."""
    return sorted(
        {m.pgh_tracked_model._meta.db_table for m in apps.get_models() if issubclass(m, Event) and m._meta.managed}
    )


def _existing_triggers(cursor, name: str) -> set[str]:
    cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s", [name])
    return {row[0].strip('"') for row in cursor.fetchall()}


def install_guards(cursor, tables: set[str]) -> None:
    """Functions, TRUNCATE guards, the context guard and the seal triggers (idempotent)."""
    cursor.execute(FUNCTIONS_SQL)
    events = [t for t in event_tables() if t in tables]
    protected = [t for t in {*events, *tracked_tables(), CONTEXT_TABLE, SEAL_TABLE} if t in tables]
    guarded = _existing_triggers(cursor, "trialsite_refuse_truncate")
    for table in sorted(set(protected) - guarded):
        cursor.execute(
            f'CREATE TRIGGER trialsite_refuse_truncate BEFORE TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION trialsite_refuse_truncate()"
        )
    if CONTEXT_TABLE in tables and CONTEXT_TABLE not in _existing_triggers(cursor, "trialsite_guard_context"):
        cursor.execute(
            f"CREATE TRIGGER trialsite_guard_context BEFORE UPDATE ON {CONTEXT_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION trialsite_guard_context()"
        )
    sealed = _existing_triggers(cursor, "trialsite_audit_seal")
    for table in sorted(set(events) - sealed):
        cursor.execute(
            f'CREATE CONSTRAINT TRIGGER trialsite_audit_seal AFTER INSERT ON "{table}" '
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trialsite_audit_seal()"
        )


def seal_backlog(cursor, tables: set[str]) -> int:
    """Seal events written before the chain existed (oldest first); returns how many."""
    events = [t for t in event_tables() if t in tables]
    if not events or SEAL_TABLE not in tables:
        return 0
    unsealed = " UNION ALL ".join(
        f"SELECT '{t}', pgh_id, pgh_created_at FROM \"{t}\" e WHERE NOT EXISTS "
        f"(SELECT 1 FROM {SEAL_TABLE} s WHERE s.event_table = '{t}' AND s.event_id = e.pgh_id)"
        for t in events
    )
    cursor.execute(f"{unsealed} ORDER BY 3, 1, 2")
    backlog = cursor.fetchall()
    for table, event_id, _at in backlog:
        cursor.execute(
            f'SELECT trialsite_audit_append(%s, to_jsonb(e)) FROM "{table}" e WHERE e.pgh_id = %s', [table, event_id]
        )
    return len(backlog)


def app_may_delete(table: str) -> bool:
    return any(fnmatch(table, pattern) for pattern in settings.DATABASE_APP_MAY_DELETE)


def grant_app_role(cursor, tables: set[str], app: str, owner: str) -> None:
    """Re-state the app role's privileges on every table of the schema."""
    cursor.execute(
        f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{app}"; '
        f'GRANT USAGE ON SCHEMA public TO "{app}"; '
        f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{app}"; '
        f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "{app}"; '
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{app}"; '
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
        f'GRANT SELECT, INSERT, UPDATE ON TABLES TO "{app}"; '
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
        f'GRANT USAGE, SELECT ON SEQUENCES TO "{app}"'
    )
    for table in event_tables():
        if table in tables:
            cursor.execute(f'REVOKE UPDATE ON "{table}" FROM "{app}"')
    if SEAL_TABLE in tables:
        cursor.execute(f'REVOKE INSERT, UPDATE ON {SEAL_TABLE} FROM "{app}"')
    for table in sorted(t for t in tables if app_may_delete(t)):
        cursor.execute(f'GRANT DELETE ON "{table}" TO "{app}"')


def apply_privileges(connection) -> None:
    """Install the guards and re-grant the app role; a no-op unless signed in as the owner."""
    if not is_owner_session(connection):
        return
    tables = set(connection.introspection.table_names(include_views=True))
    app = settings.DATABASES[connection.alias]["USER"]
    owner = connection.settings_dict["USER"]
    with connection.cursor() as cursor:
        install_guards(cursor, tables)
        seal_backlog(cursor, tables)
        if app and app != owner:
            grant_app_role(cursor, tables, app, owner)
