"""API tokens: hashed per-device tokens (django-rest-knox) replace the plain-text ones.

The database itself revokes every token of a user whose password changes or
whose account is deactivated — whatever path made the change (pages, admin,
``changepassword``, SQL).
"""

from django.db import migrations

REVOKE_SQL = """
CREATE OR REPLACE FUNCTION trialsite_revoke_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM knox_authtoken WHERE user_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER trialsite_revoke_tokens AFTER UPDATE OF password, is_active ON auth_user
FOR EACH ROW WHEN (OLD.password IS DISTINCT FROM NEW.password OR (OLD.is_active AND NOT NEW.is_active))
EXECUTE FUNCTION trialsite_revoke_tokens();
-- The old plain-text tokens (rest_framework.authtoken) are no longer accepted: drop them.
DROP TABLE IF EXISTS authtoken_token;
"""

UNDO_SQL = """
DROP TRIGGER IF EXISTS trialsite_revoke_tokens ON auth_user;
DROP FUNCTION IF EXISTS trialsite_revoke_tokens();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("trialsite", "0003_audit_chain"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunSQL(REVOKE_SQL, UNDO_SQL)]
