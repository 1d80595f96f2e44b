/*
 * audit_wire.c - audit entries as JSON, in the page formats 1 to 4
 * (sync/audit_wire.h).
 */
#include "sync/audit_wire.h"

#include <sodium.h>
#include <string.h>

void audit_wire_writer_start(struct audit_wire_writer *w, int format,
			     uint64_t pushed)
{
	memset(w, 0, sizeof(*w));
	w->format = format;
	w->pushed = pushed;
}

/* Set key to integer v on j: 0, or -1 when out of memory. */
static int set_int(json_t *j, const char *key, json_int_t v)
{
	return json_object_set_new(j, key, json_integer(v));
}

static int set_hex(json_t *j, const char *key, const uint8_t *b)
{
	char hex[2 * STORE_AUDIT_HASHBYTES + 1];

	sodium_bin2hex(hex, sizeof(hex), b, STORE_AUDIT_HASHBYTES);
	return json_object_set_new(j, key, json_string(hex));
}

json_t *audit_wire_write(struct audit_wire_writer *w,
			 const struct store_audit_entry *a)
{
	int f4 = w->format >= 4, first = w->count == 0;
	/* Format 4: a write names its change where the hub holds it. */
	int by_change = f4 && a->has_record && a->chg && a->chg <= w->pushed &&
			a->chg <= INT64_MAX && w->chg <= INT64_MAX;
	int with_hash = w->format < 3 || store_audit_is_anchor(a);
	char rec[ID_TEXT_LEN + 1];
	json_t *j = json_object();
	int bad;

	if (!j)
		return NULL;
	if (a->has_record)
		id_format(&a->record, rec);
	bad = (!f4 || first || a->nseq != w->nseq + 1) &&
	      set_int(j, "n", (json_int_t)a->nseq);
	if (f4 && !first)
		bad |= set_int(j, "dt",
			       (json_int_t)((int64_t)a->at - (int64_t)w->at));
	else
		bad |= set_int(j, "at", (json_int_t)a->at);
	bad |= json_object_set_new(j, "operator", json_string(a->operator)) ||
	       json_object_set_new(j, "role", json_string(a->role)) ||
	       json_object_set_new(j, "action", json_string(a->action)) ||
	       set_int(j, "coll", a->coll);
	if (by_change)
		bad |= set_int(j, "dchg",
			       (json_int_t)((int64_t)a->chg - (int64_t)w->chg));
	else
		bad |= json_object_set_new(j, "record",
					   a->has_record ? json_string(rec)
							 : json_null());
	bad |= set_int(j, "count", (json_int_t)a->count) ||
	       json_object_set_new(j, "purpose", json_string(a->purpose)) ||
	       set_int(j, "glass", a->glass ? 1 : 0);
	/* Format 2 on: "prev" in the page's first entry only. */
	if (w->format < 2 || first)
		bad |= set_hex(j, "prev", a->prev);
	if (with_hash)
		bad |= set_hex(j, "hash", a->hash);
	if (bad) {
		json_decref(j);
		return NULL;
	}
	w->count++;
	w->nseq = a->nseq;
	w->at = a->at;
	if (by_change)
		w->chg = a->chg;
	w->hashed = with_hash;
	return j;
}

void audit_wire_reader_start(struct audit_wire_reader *r,
			     const struct id *node, int format,
			     audit_wire_record_fn record_of, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->node = node;
	r->format = format;
	r->record_of = record_of;
	r->ctx = ctx;
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

/* *out = base + member key (a signed delta): -1 when it is missing, not
 * an integer, or takes the sum below 0 or past INT64_MAX. */
static int delta(const json_t *j, const char *key, uint64_t base,
		 uint64_t *out)
{
	const json_t *v = json_object_get(j, key);
	json_int_t d = json_integer_value(v);

	if (!json_is_integer(v) || base > INT64_MAX ||
	    (d < 0 && (uint64_t)-(d + 1) >= base) ||
	    (d > 0 && (uint64_t)d > INT64_MAX - base))
		return -1;
	*out = d < 0 ? base - (uint64_t)-(d + 1) - 1 : base + (uint64_t)d;
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

/* The number and time of j into a: in format 4 after the first entry,
 * each may be left to what the entry before says. */
static const char *number_and_time(const struct audit_wire_reader *r,
				   const json_t *j, struct store_audit_entry *a)
{
	int later = r->format >= 4 && r->count > 0;

	if (later && !json_object_get(j, "n"))
		a->nseq = r->last.nseq + 1;
	else if (u64(j, "n", &a->nseq))
		return "n";
	if (later && !json_object_get(j, "at"))
		return delta(j, "dt", r->last.at, &a->at) ? "dt" : NULL;
	return u64(j, "at", &a->at) ? "at" : NULL;
}

/* The record of j into a: "record" (an id or null), or in format 4 the
 * change it names ("dchg"), read through r->record_of. */
static int record(struct audit_wire_reader *r, const json_t *j,
		  struct store_audit_entry *a, struct err *e)
{
	const json_t *rec = json_object_get(j, "record");

	if (r->format >= 4 && json_object_get(j, "dchg")) {
		if (rec || delta(j, "dchg", r->chg, &a->chg) || !a->chg)
			return err_set(e, ERR_INVALID, "audit: member 'dchg' "
				       "malformed");
		if (!r->record_of)
			return err_set(e, ERR_INVALID, "audit: an entry names "
				       "a change where none may be named");
		a->has_record = 1;
		return r->record_of(r->ctx, a->chg, &a->record, e);
	}
	if (json_is_string(rec)) {
		if (id_parse(&a->record, json_string_value(rec)))
			return err_set(e, ERR_INVALID,
				       "audit: member 'record' malformed");
		a->has_record = 1;
	} else if (!json_is_null(rec)) {
		return err_set(e, ERR_INVALID,
			       "audit: member 'record' missing or malformed");
	}
	return 0;
}

int audit_wire_read(struct audit_wire_reader *r, const json_t *j,
		    struct store_audit_entry *a, struct err *e)
{
	/* From format 2, a "prev" left out is the hash before it. */
	int chained = r->format >= 2 && r->count > 0;
	int computed = r->format >= 3;
	uint64_t v = 0;
	const char *bad = NULL;
	int rc;

	memset(a, 0, sizeof(*a));
	a->node = *r->node;
	if (!json_is_object(j))
		return err_set(e, ERR_INVALID, "audit: an entry is no object");
	bad = number_and_time(r, j, a);
	if (bad)
		;
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
	else if (chained && !json_object_get(j, "prev"))
		memcpy(a->prev, r->last.hash, STORE_AUDIT_HASHBYTES);
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
	rc = record(r, j, a, e);
	if (rc)
		return rc;
	/* Format 3 on: what the entry and its prev make. */
	if (!json_object_get(j, "hash"))
		store_audit_hash(a, a->hash);
	r->count++;
	r->last = *a;
	if (a->chg)
		r->chg = a->chg;
	return 0;
}
