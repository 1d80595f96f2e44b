/*
 * store_access.c - the operator's role on a handle (schema/access.h):
 * checked with its key slot when a handle starts acting for an operator,
 * given once to the slots of a store made before roles, and changed by a
 * coordinator (store_operator_set_role()).  The API's reads and writes
 * ask store_operator_role() (node/store_record.c, store_log.c,
 * store_conflict.c, store_refused.c).
 *
 * The role sits in the key slot's row, under the slot's MAC (node/keyslot.h),
 * so that someone who can write the file but not unlock it cannot raise an
 * operator's role: a handle acting for a slot whose MAC fails is refused.
 * Slots of an older store have role '' and their old MAC.  At that store's
 * first unlock every slot whose MAC passes gets the role that manages
 * operators, which is what every operator could do before, and a MAC over
 * it.  From then on a slot with role '' beside slots with a role was put
 * back from an older copy, and unlocking with it is refused.
 */
#include "node/store_int.h"

#include <string.h>

#include "node/store_audit.h"

/* A slot holds any role's name (keyslot.h keeps it opaque). */
_Static_assert(KEYSLOT_ROLE_MAX >= ACCESS_ROLE_NAME_MAX,
	       "a key slot's role field holds every role's name");

enum access_role store_operator_role(const struct store *s)
{
	return s->sess ? s->access : ACCESS_NONE;
}

void store_withhold(struct store *s, const struct id *id,
		    const struct schema_collection *c, json_t *fields)
{
	if (access_reads_all(s->access) || (id && store_glass_covers(s, id)))
		return;
	access_withhold(s->access, c, fields);
}

/* The role a store's first operator gets, and an older store's slots:
 * the coordinatore, hub or node, who reads everything as every operator
 * did before roles (on a hub it loads the programme's data, of every
 * group); the Helpdesk's operators are given focal_point by it. */
const char *store_access_top_role(const struct store *s)
{
	(void)s;
	return access_role_name(ACCESS_COORDINATOR);
}

/* Read the slot of row id into *slot, its MAC into mac (*maclen). */
static int slot_read(struct store *s, int64_t id, struct keyslot *slot,
		     uint8_t mac[KEYSLOT_MACBYTES], size_t *maclen,
		     struct err *e)
{
	struct store_q *st = NULL;
	int64_t got = 0;
	int rc = 0, found;

	*maclen = 0;
	st = store_q(s, "SELECT " SLOT_COLUMNS " FROM keyslot WHERE id = ?1",
		     "reading key slots");
	store_q_bind_int(st, 1, id);
	found = store_q_row(st);
	if (found) {
		rc = store_slot_row(st, slot, &got, e);
		if (!rc && store_q_col_bytes(st, SLOT_MAC_COLUMN) ==
				   KEYSLOT_MACBYTES) {
			memcpy(mac, store_q_col_blob(st, SLOT_MAC_COLUMN),
			       KEYSLOT_MACBYTES);
			*maclen = KEYSLOT_MACBYTES;
		}
	}
	rc = store_q_done(st, rc, e);
	if (!rc && !found)
		rc = err_set(e, ERR_AUTH, "operator '%s' no longer exists",
			     store_session_operator(s->sess));
	return rc;
}

/* Write slot's role and a MAC over it under mackey. */
static int slot_write_role(struct store *s, int64_t id, struct keyslot *slot,
			   const uint8_t *mackey, struct err *e)
{
	uint8_t mac[KEYSLOT_MACBYTES];
	struct store_q *st = NULL;

	keyslot_mac(slot, mackey, mac);
	st = store_q(s, "UPDATE keyslot SET role = ?2, mac = ?3 WHERE id = ?1",
		     "saving key slot");
	store_q_bind_int(st, 1, id);
	store_q_bind_text(st, 2, slot->role);
	store_q_bind_blob(st, 3, mac, sizeof(mac));
	return store_q_run(st, e);
}

/* An older store's first unlock: every slot with a passing MAC and no
 * role gets top_role(), in one transaction. */
static int give_roles(struct store *s, struct err *e)
{
	struct store_q *st = NULL;
	const uint8_t *mackey = NULL;
	int64_t with_role = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	st = store_q(s, "SELECT count(*) FROM keyslot WHERE role <> ''",
		     "reading key slots");
	if (store_q_row(st))
		with_role = store_q_col_i64(st, 0);
	rc = store_q_end(st, e);
	if (rc || with_role) /* done meanwhile, or a slot put back */
		goto out;
	rc = store_slot_mac_dek(s, &mackey, e);
	if (rc)
		goto out;
	st = store_q(s, "SELECT " SLOT_COLUMNS " FROM keyslot WHERE role = ''",
		     "reading key slots");
	while (!rc && store_q_row(st)) {
		struct keyslot slot;
		int64_t id;

		rc = store_slot_row(st, &slot, &id, e);
		if (rc)
			break;
		/* A slot that fails stays as it is: it opens nothing, and
		 * verify reports it. */
		if (keyslot_mac_check(&slot, mackey,
				      store_q_col_blob(st, SLOT_MAC_COLUMN),
				      (size_t)store_q_col_bytes(
					  st, SLOT_MAC_COLUMN),
				      NULL))
			continue;
		snprintf(slot.role, sizeof(slot.role), "%s", store_access_top_role(s));
		/* Only role and mac change, which the scan does not walk
		 * by: updating the row being read is safe. */
		rc = slot_write_role(s, id, &slot, mackey, e);
	}
	rc = store_q_done(st, rc, e);
out:
	return store_tx_end(s, opened, rc, e);
}

int store_access_unlocked(struct store *s, struct err *e)
{
	uint8_t mac[KEYSLOT_MACBYTES];
	struct keyslot slot;
	const uint8_t *mackey = NULL;
	int64_t id = store_session_slot_id(s->sess);
	size_t maclen = 0;
	int rc;

	s->access = ACCESS_NONE;
	rc = slot_read(s, id, &slot, mac, &maclen, e);
	if (!rc && !slot.role[0]) {
		rc = give_roles(s, e);
		if (!rc)
			rc = slot_read(s, id, &slot, mac, &maclen, e);
		if (!rc && !slot.role[0])
			rc = err_set(e, ERR_CORRUPT,
				     "the key slot of operator '%s' has no "
				     "role while others have one: it was put "
				     "back from an older copy (altered "
				     "outside presidio)",
				     slot.operator);
	}
	if (!rc)
		rc = store_slot_mac_dek(s, &mackey, e);
	if (!rc)
		rc = keyslot_mac_check(&slot, mackey, maclen ? mac : NULL,
				       maclen, e);
	if (!rc && access_role_parse(slot.role) == ACCESS_NONE)
		rc = err_set(e, ERR_CORRUPT,
			     "the key slot of operator '%s' names no known "
			     "role",
			     slot.operator);
	if (!rc)
		s->access = access_role_parse(slot.role);
	if (!rc)
		rc = store_glass_load(s, e);
	sodium_memzero(mac, sizeof(mac));
	return rc;
}

int store_access_manage(struct store *s, struct err *e)
{
	int rc = store_require_unlocked(s, e);

	if (!rc && !access_manages_operators(s->access))
		rc = err_set(e, ERR_DENIED,
			     "il ruolo %s non gestisce gli operatori: lo fa "
			     "il coordinatore del nodo (sull'hub il Focal "
			     "Point)",
			     access_role_name(s->access));
	return rc;
}

int store_access_role_of(const struct store *s, const char *name,
			 enum keyslot_kind kind, const char **role,
			 struct err *e)
{
	if (!name) {
		if (kind != KEYSLOT_KEYFILE)
			return err_set(e, ERR_INVALID,
				       "a role is required (coordinatore, "
				       "assistente_sociale, psicologo, "
				       "mediatore, legale, educatore, "
				       "amministrativo%s)",
				       s->role == STORE_ROLE_HUB
					   ? ", focal_point"
					   : "");
		name = access_role_name(ACCESS_SERVICE);
	}
	if (access_role_parse(name) == ACCESS_NONE)
		return err_set(e, ERR_INVALID, "unknown role '%s'",
			       schema_name_ok(name) ? name : "?");
	*role = access_role_name(access_role_parse(name));
	return 0;
}

/* The slot of operator, checked under the slot MAC key: *found 0 when
 * there is none. */
static int slot_by_name(struct store *s, const char *operator,
			struct keyslot *slot, int64_t *id, int *found,
			struct err *e)
{
	const uint8_t *mackey = NULL;
	struct store_q *st = NULL;
	int rc = store_slot_mac_dek(s, &mackey, e);

	*found = 0;
	if (rc)
		return rc;
	st = store_q(s, "SELECT " SLOT_COLUMNS " FROM keyslot "
			"WHERE operator = ?1",
		     "reading key slots");
	store_q_bind_text(st, 1, operator);
	*found = store_q_row(st);
	if (*found) {
		rc = store_slot_row(st, slot, id, e);
		/* Never vouch for a slot altered outside presidio. */
		if (!rc)
			rc = keyslot_mac_check(
			    slot, mackey,
			    store_q_col_blob(st, SLOT_MAC_COLUMN),
			    (size_t)store_q_col_bytes(st, SLOT_MAC_COLUMN), e);
	}
	rc = store_q_done(st, rc, e);
	if (!rc && !*found)
		rc = err_set(e, ERR_NOTFOUND, "no operator '%s' on this node",
			     schema_name_ok(operator) ? operator : "?");
	return rc;
}

int store_operator_role_of(struct store *s, const char *operator,
			   char *role, struct err *e)
{
	struct keyslot slot;
	int64_t id = 0;
	int found = 0;
	int rc = store_require_unlocked(s, e);

	role[0] = '\0';
	if (!rc)
		rc = slot_by_name(s, operator, &slot, &id, &found, e);
	if (!rc && access_role_parse(slot.role) == ACCESS_NONE)
		rc = err_set(e, ERR_NOTFOUND, "operator '%s' has no role yet",
			     slot.operator);
	if (!rc)
		snprintf(role, KEYSLOT_ROLE_MAX, "%s", slot.role);
	return rc;
}

int store_access_other_manager(struct store *s, int64_t id, struct err *e)
{
	struct store_q *st = NULL;
	int found = 0, rc;

	st = store_q(s, "SELECT role FROM keyslot WHERE id <> ?1",
		     "reading key slots");
	store_q_bind_int(st, 1, id);
	while (!found && store_q_row(st))
		found = access_manages_operators(
		    access_role_parse(store_q_col_text(st, 0)));
	rc = store_q_end(st, e);
	return rc ? rc : found;
}

int store_operator_set_role(struct store *s, const char *operator,
			    const char *role, struct err *e)
{
	const uint8_t *mackey = NULL;
	const char *name = NULL;
	struct keyslot slot;
	int64_t id = 0, managers = 0;
	int opened = 0, found = 0;
	int rc = store_access_manage(s, e);

	if (!rc)
		rc = store_access_role_of(s, role ? role : "", KEYSLOT_PASSPHRASE,
					  &name, e);
	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = slot_by_name(s, operator, &slot, &id, &found, e);
	if (!rc)
		rc = store_slot_mac_dek(s, &mackey, e);
	if (rc)
		goto out;
	if (access_manages_operators(access_role_parse(slot.role)) &&
	    !access_manages_operators(access_role_parse(name))) {
		managers = store_access_other_manager(s, id, e);
		if (managers < 0) {
			rc = (int)managers;
			goto out;
		}
		if (!managers) {
			rc = err_set(e, ERR_CONFLICT,
				     "'%s' is the last operator who manages "
				     "operators: give the role %s to another "
				     "one first",
				     slot.operator, slot.role);
			goto out;
		}
	}
	snprintf(slot.role, sizeof(slot.role), "%s", name);
	rc = slot_write_role(s, id, &slot, mackey, e);
out:
	return store_tx_end(s, opened, rc, e);
}
