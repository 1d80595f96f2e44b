/*
 * store_glass.c - break-the-glass (node/store_audit.h): an operator whose
 * role may not read some of a record's fields opens it in full, for a
 * reason, until a set time.
 *
 * Grants are rows of table glass under a row MAC (node/store_mac.c), so
 * that one planted in the file by someone who cannot unlock opens
 * nothing.  A handle loads the live grants of its operator when it starts
 * acting for it (store_access_unlocked()) and adds those it makes; the
 * store's reads consult them (store_withhold()).  Every grant and every
 * read under one is flagged in the audit trail.
 */
#include "node/store_audit.h"

#include <string.h>

#include "node/store_int.h"

const char *const store_glass_reasons[] = {
	"urgenza_sicurezza", "necessita_sanitaria", "richiesta_autorita",
	"continuita_presa_in_carico", NULL
};
const char *const store_glass_reason_labels[] = {
	"Urgenza per la sicurezza della persona",
	"Necessità sanitaria",
	"Richiesta dell'autorità giudiziaria o di polizia",
	"Continuità della presa in carico (operatore assente)",
	NULL
};

static int reason_ok(const char *r)
{
	for (size_t i = 0; r && store_glass_reasons[i]; i++)
		if (strcmp(r, store_glass_reasons[i]) == 0)
			return 1;
	return 0;
}

int store_glass_covers(struct store *s, const struct id *record)
{
	uint64_t now = store_wall_ms(s);

	for (size_t i = 0; i < s->nglass; i++)
		if (s->glass[i].expires > now &&
		    id_cmp(&s->glass[i].record, record) == 0)
			return 1;
	return 0;
}

/* Keep a grant on the handle (the oldest gives way when full). */
static void keep(struct store *s, const struct id *record, uint64_t expires)
{
	if (s->nglass == STORE_GLASS_HELD) {
		memmove(s->glass, s->glass + 1,
			(STORE_GLASS_HELD - 1) * sizeof(s->glass[0]));
		s->nglass--;
	}
	s->glass[s->nglass].record = *record;
	s->glass[s->nglass].expires = expires;
	s->nglass++;
}

int store_glass_load(struct store *s, struct err *e)
{
	struct store_q *st = store_q(
	    s,
	    "SELECT record, expires FROM glass WHERE operator = ?1 AND "
	    "expires > ?2 AND presidio_mac_ok(mac, 'glass', " STORE_MAC_COLS_GLASS
	    ") ORDER BY expires",
	    "reading grants");

	s->nglass = 0;
	store_q_bind_text(st, 1, store_operator(s));
	store_q_bind_int(st, 2, (int64_t)store_wall_ms(s));
	while (store_q_row(st)) {
		struct id r;

		if (store_q_col_bytes(st, 0) != ID_BYTES)
			continue;
		memcpy(r.b, store_q_col_blob(st, 0), ID_BYTES);
		keep(s, &r, (uint64_t)store_q_col_i64(st, 1));
	}
	return store_q_end(st, e);
}

int store_glass_open(struct store *s, const struct id *record,
		     const char *reason, unsigned minutes, uint64_t *expires,
		     struct err *e)
{
	const struct schema_collection *coll;
	struct store_record r;
	struct store_q *st = NULL;
	uint64_t now, until;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	if (!reason_ok(reason))
		return err_set(e, ERR_INVALID,
			       "motivo non valido: uno di urgenza_sicurezza, "
			       "necessita_sanitaria, richiesta_autorita, "
			       "continuita_presa_in_carico");
	if (minutes < 1 || minutes > STORE_GLASS_MINUTES_MAX)
		return err_set(e, ERR_INVALID,
			       "durata non valida: da 1 a %d minuti",
			       STORE_GLASS_MINUTES_MAX);
	if (access_reads_all(s->access))
		return err_set(e, ERR_INVALID,
			       "il ruolo %s legge già tutti i campi: non serve "
			       "l'accesso di emergenza",
			       access_role_name(s->access));
	/* The record must exist here (its fields withheld or not). */
	store_record_init(&r);
	rc = store_get(s, record, &r, e);
	coll = r.coll;
	store_record_release(&r);
	if (rc)
		return rc;
	now = store_wall_ms(s);
	until = now + (uint64_t)minutes * 60000u;
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	st = store_q(s,
		     "INSERT INTO glass (id, operator, record, reason, granted, "
		     "expires, mac) VALUES ((SELECT coalesce(max(id), 0) + 1 "
		     "FROM glass), ?1, ?2, ?3, ?4, ?5, NULL)",
		     "writing a grant");
	store_q_bind_text(st, 1, store_operator(s));
	store_q_bind_blob(st, 2, record->b, ID_BYTES);
	store_q_bind_text(st, 3, reason);
	store_q_bind_int(st, 4, (int64_t)now);
	store_q_bind_int(st, 5, (int64_t)until);
	rc = store_q_run(st, e);
	if (!rc) {
		st = store_q(s,
			     "UPDATE glass SET mac = presidio_mac('glass', "
			     STORE_MAC_COLS_GLASS ") WHERE id = ?1",
			     "writing a grant");
		store_q_bind_int(st, 1, store_sql_last_id(s));
		rc = store_q_run(st, e);
	}
	if (!rc) {
		keep(s, record, until);
		rc = store_audit_note(s, "glass", coll, record, 1, reason, e);
	}
	rc = store_tx_end(s, opened, rc, e);
	if (rc)
		(void)store_glass_load(s, NULL); /* the grant is gone */
	else if (expires)
		*expires = until;
	return rc;
}
