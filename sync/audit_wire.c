/*
 * audit_wire.c - audit entries as JSON (sync/audit_wire.h).
 */
#include "sync/audit_wire.h"

#include <sodium.h>
#include <string.h>

json_t *audit_wire_entry(const struct store_audit_entry *a, int with_prev,
			 int with_hash)
{
	json_t *j;

	char prev[2 * STORE_AUDIT_HASHBYTES + 1];
	char hash[2 * STORE_AUDIT_HASHBYTES + 1];
	char rec[ID_TEXT_LEN + 1];

	sodium_bin2hex(prev, sizeof(prev), a->prev, sizeof(a->prev));
	sodium_bin2hex(hash, sizeof(hash), a->hash, sizeof(a->hash));
	if (a->has_record)
		id_format(&a->record, rec);
	j = json_pack("{sI sI ss ss ss si s:s? sI ss si}", "n",
			 (json_int_t)a->nseq, "at", (json_int_t)a->at,
			 "operator", a->operator, "role", a->role, "action",
			 a->action, "coll", (int)a->coll, "record",
			 a->has_record ? rec : NULL, "count",
			 (json_int_t)a->count, "purpose", a->purpose, "glass",
			 a->glass ? 1 : 0);
	if (j && ((with_prev &&
		   json_object_set_new(j, "prev", json_string(prev))) ||
		  (with_hash &&
		   json_object_set_new(j, "hash", json_string(hash))))) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* Copy string member key into out (n bytes): 0, or -1 when missing, not
 * a string or too long. */
static int text(const json_t *j, const char *key, char *out, size_t n)
{
	const char *v = json_string_value(json_object_get(j, key));

	if (!v || strlen(v) >= n)
		return -1;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int u64(const json_t *j, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(j, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int hex32(const json_t *j, const char *key, uint8_t *out)
{
	const char *v = json_string_value(json_object_get(j, key));
	size_t got = 0;

	return v && strlen(v) == 2 * STORE_AUDIT_HASHBYTES &&
			       sodium_hex2bin(out, STORE_AUDIT_HASHBYTES, v,
					      strlen(v), NULL, &got,
					      NULL) == 0 &&
			       got == STORE_AUDIT_HASHBYTES
		   ? 0
		   : -1;
}

int audit_wire_parse(const json_t *j, const struct id *node,
		     const uint8_t *prev, int computed,
		     struct store_audit_entry *a, struct err *e)
{
	const json_t *rec;
	uint64_t v = 0;
	const char *bad = NULL;

	memset(a, 0, sizeof(*a));
	a->node = *node;
	if (!json_is_object(j))
		return err_set(e, ERR_INVALID, "audit: an entry is no object");
	if (u64(j, "n", &a->nseq))
		bad = "n";
	else if (u64(j, "at", &a->at))
		bad = "at";
	else if (text(j, "operator", a->operator, sizeof(a->operator)))
		bad = "operator";
	else if (text(j, "role", a->role, sizeof(a->role)))
		bad = "role";
	else if (text(j, "action", a->action, sizeof(a->action)))
		bad = "action";
	else if (u64(j, "coll", &v) || v > UINT16_MAX)
		bad = "coll";
	else if (u64(j, "count", &a->count))
		bad = "count";
	else if (text(j, "purpose", a->purpose, sizeof(a->purpose)))
		bad = "purpose";
	else if (prev && !json_object_get(j, "prev"))
		memcpy(a->prev, prev, STORE_AUDIT_HASHBYTES);
	else if (hex32(j, "prev", a->prev))
		bad = "prev";
	if (!bad && hex32(j, "hash", a->hash) &&
	    (!computed || json_object_get(j, "hash") ||
	     store_audit_is_anchor(a)))
		bad = "hash";
	if (bad)
		return err_set(e, ERR_INVALID, "audit: member '%s' missing or "
			       "malformed", bad);
	a->coll = (uint16_t)v;
	if (u64(j, "glass", &v) || v > 1)
		return err_set(e, ERR_INVALID, "audit: member 'glass' missing "
			       "or malformed");
	a->glass = (int)v;
	rec = json_object_get(j, "record");
	if (json_is_string(rec)) {
		if (id_parse(&a->record, json_string_value(rec)))
			return err_set(e, ERR_INVALID,
				       "audit: member 'record' malformed");
		a->has_record = 1;
	} else if (!json_is_null(rec)) {
		return err_set(e, ERR_INVALID,
			       "audit: member 'record' missing or malformed");
	}
	/* Format 3: what the entry and its prev make. */
	if (!json_object_get(j, "hash"))
		store_audit_hash(a, a->hash);
	return 0;
}
