/*
 * view_home.c - see view_home.h.
 */
#include "view/view_home.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/le.h"
#include "schema/schema.h"

/* A deadline: a date field of a collection, what it means, and, for a
 * goal, the status values that close it. */
static const struct deadline {
	const char *coll, *field, *kind, *label;
	const char *done_field; /* its status field, or NULL */
	const char *const *done; /* status values for which it is met */
} deadlines[] = {
	{ "person", "residence_permit_expiry", "permit",
	  "Permesso di soggiorno in scadenza", NULL, NULL },
	{ "plan", "review_due", "plan_review", "Verifica del PAI", NULL,
	  NULL },
	{ "plan_review", "next_review", "plan_review",
	  "Prossima verifica del PAI", NULL, NULL },
	{ "plan_goal", "deadline", "goal", "Obiettivo del PAI in scadenza",
	  "status",
	  (const char *const[]){ "achieved", "partly", "not_achieved", NULL } },
	{ "followup", "date", "followup", "Follow-up", NULL, NULL },
};

/* Days since 1970-01-01 of "YYYY-MM-DD"; -1 when it is not one. */
static long day_of(const char *iso)
{
	int y, m, d;
	char tail;

	if (!iso || strlen(iso) != 10 ||
	    sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	/* Days from civil (proleptic Gregorian). */
	y -= m <= 2;
	{
		long era = (y >= 0 ? y : y - 399) / 400;
		long yoe = y - era * 400;
		long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		return era * 146097 + doe - 719468;
	}
}

/*
 * The memo (store.h, "home"): what the home page derives from every case
 * and every dated record, kept so that a session reads it and the changes
 * since instead of every record.  Binary, little-endian:
 *   header  "PHM1", schema u32 (the running declarations' version),
 *           seq u64 (the last change it reflects), removals u64
 *           (store_removals() then), ncases u32, ndl u32, names u32
 *   cases   ncases x {id[16], stage u8, bdi u8}: every live case; a value
 *           is its index in the field's values + 1, 0 for none
 *   dl      ndl x {id[16], k u8, date[10], name_off u32, name_len u8}:
 *           records with a date not yet met (k: deadlines[] index), with
 *           the person's name for a permit (name_len 0 otherwise)
 *   names   the names' bytes
 * Built again from the records when it is missing, does not open, is not
 * this build's or this schema's, when records left without a change
 * (removals moved), or when more than VIEW_HOME_CATCH_UP changes came
 * since: reading those records one by one would cost more.  The buffers
 * holding names are wiped when freed (common/buf.h).
 */
#define VIEW_HOME_MEMO "home"
#define VIEW_HOME_CATCH_UP 5000
#define MEMO_MAGIC "PHM1"
#define MEMO_HEAD 36
#define CASE_LEN (ID_BYTES + 2)
#define DL_LEN (ID_BYTES + 1 + 10 + 4 + 1)
#define NAME_MAX_LEN 255
#define NDEADLINES (sizeof(deadlines) / sizeof(*deadlines))

struct home {
	long from, today, to;
	json_t *items;
	const struct schema_field *stage, *bdi;
	const struct schema_collection *person, *case_coll;
	struct buf cases, dl, names; /* the memo's three parts */
};

static int is_done(const struct deadline *dl, const json_t *fields)
{
	const char *v = dl->done_field
				? json_string_value(json_object_get(
					  fields, dl->done_field))
				: NULL;

	for (const char *const *d = dl->done; v && d && *d; d++)
		if (strcmp(v, *d) == 0)
			return 1;
	return 0;
}

/* 1 when records of c enter the memo. */
static int home_coll(const struct home *h, const struct schema_collection *c)
{
	if (!c)
		return 0;
	if (c == h->case_coll)
		return 1;
	for (size_t k = 0; k < NDEADLINES; k++)
		if (strcmp(deadlines[k].coll, c->name) == 0)
			return 1;
	return 0;
}

/* The value of f in fields as its index + 1, 0 when unset or unknown. */
static uint8_t value_code(const json_t *fields, const struct schema_field *f)
{
	const char *v = f ? json_string_value(json_object_get(fields, f->name))
			  : NULL;

	for (size_t i = 0; v && f->values && f->values[i] && i < 254; i++)
		if (strcmp(f->values[i], v) == 0)
			return (uint8_t)(i + 1);
	return 0;
}

/* Record r (live, its collection one of the memo's) into the memo. */
static int summarize(struct home *h, const struct store_record *r)
{
	uint8_t e[DL_LEN];
	int rc = 0;

	if (r->deleted || !r->coll || !r->fields)
		return 0;
	if (r->coll == h->case_coll) {
		memcpy(e, r->id.b, ID_BYTES);
		e[ID_BYTES] = value_code(r->fields, h->stage);
		e[ID_BYTES + 1] = value_code(r->fields, h->bdi);
		rc = buf_append(&h->cases, e, CASE_LEN);
	}
	for (size_t k = 0; !rc && k < NDEADLINES; k++) {
		const struct deadline *dl = &deadlines[k];
		const char *date;
		char name[NAME_MAX_LEN + 1] = "";
		size_t nlen = 0;

		if (strcmp(dl->coll, r->coll->name) != 0)
			continue;
		date = json_string_value(json_object_get(r->fields,
							 dl->field));
		if (day_of(date) < 0 || is_done(dl, r->fields))
			continue;
		if (h->person && r->coll == h->person) {
			const struct schema_search *q = h->person->search;
			const char *g = json_string_value(
				json_object_get(r->fields, q->given));
			const char *f = json_string_value(
				json_object_get(r->fields, q->family));

			snprintf(name, sizeof(name), "%s %s", f ? f : "",
				 g ? g : "");
			nlen = strlen(name);
		}
		memcpy(e, r->id.b, ID_BYTES);
		e[ID_BYTES] = (uint8_t)k;
		memcpy(e + ID_BYTES + 1, date, 10);
		le_put32(e + ID_BYTES + 11, (uint32_t)h->names.len);
		e[ID_BYTES + 15] = (uint8_t)nlen;
		rc = buf_append(&h->dl, e, DL_LEN);
		if (!rc && nlen)
			rc = buf_append(&h->names, name, nlen);
		sodium_memzero(name, sizeof(name));
	}
	return rc;
}

static int build_one(void *ctx, const struct store_record *r)
{
	return summarize(ctx, r);
}

static void memo_empty(struct home *h)
{
	buf_reset(&h->cases);
	buf_reset(&h->dl);
	buf_reset(&h->names);
}

/* The memo from every record. */
static int rebuild(struct store *s, struct home *h, struct err *e)
{
	int rc = 0;

	memo_empty(h);
	for (size_t i = 0; !rc && i < schema_count(); i++) {
		const struct schema_collection *c = schema_at(i);

		if (home_coll(h, c))
			rc = store_list(s, c->name, 0, build_one, h, e);
	}
	return rc == ERR_INVALID && !e->msg[0] ? err_set(e, rc, "memo too "
							 "large")
					       : rc;
}

/* ---- catching up with the changes made since the memo ---- */

struct changed {
	const struct home *h;
	struct buf ids; /* ID_BYTES each */
	size_t n;       /* entries read */
};

static int changed_one(void *ctx, const struct store_change *c)
{
	struct changed *k = ctx;

	if (++k->n > VIEW_HOME_CATCH_UP)
		return ERR_STOP;
	return home_coll(k->h, c->coll) ? buf_append(&k->ids, c->record.b,
						     ID_BYTES)
					: 0;
}

static int id_cmp_bytes(const void *a, const void *b)
{
	return memcmp(a, b, ID_BYTES);
}

static int is_changed(const struct changed *k, size_t n, const uint8_t *id)
{
	return bsearch(id, k->ids.data, n, ID_BYTES, id_cmp_bytes) != NULL;
}

/* Keep the entries of part (of len bytes each) whose id did not change. */
static int keep_unchanged(struct buf *part, size_t len,
			  const struct changed *k, size_t n, struct buf *out)
{
	for (size_t off = 0; off + len <= part->len; off += len)
		if (!is_changed(k, n, part->data + off)) {
			int rc = buf_append(out, part->data + off, len);

			if (rc)
				return rc;
		}
	return 0;
}

/* Bring the memo from seq `from` to now: 1 into *stale when there were
 * too many changes to read one by one. */
static int catch_up(struct store *s, struct home *h, uint64_t from,
		    int *stale, struct err *e)
{
	struct changed k;
	struct buf cases, dl, names;
	struct store_record r;
	size_t n = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	k.h = h;
	buf_init(&k.ids, (VIEW_HOME_CATCH_UP + 1) * ID_BYTES);
	*stale = 0;
	rc = store_log(s, from, VIEW_HOME_CATCH_UP + 1, STORE_VALUES_NONE,
		       changed_one, &k, e);
	if (!rc && k.n > VIEW_HOME_CATCH_UP)
		*stale = 1;
	if (rc || *stale) {
		buf_release(&k.ids);
		return rc;
	}
	n = k.ids.len / ID_BYTES;
	if (n)
		qsort(k.ids.data, n, ID_BYTES, id_cmp_bytes);
	buf_init(&cases, STORE_MEMO_MAX);
	buf_init(&dl, STORE_MEMO_MAX);
	buf_init(&names, STORE_MEMO_MAX);
	/* Names are copied with their entries: offsets change. */
	rc = keep_unchanged(&h->cases, CASE_LEN, &k, n, &cases);
	for (size_t off = 0; !rc && off + DL_LEN <= h->dl.len; off += DL_LEN) {
		uint8_t e2[DL_LEN];
		uint32_t no = le_get32(h->dl.data + off + ID_BYTES + 11);
		uint8_t nl = h->dl.data[off + ID_BYTES + 15];

		if (is_changed(&k, n, h->dl.data + off))
			continue;
		memcpy(e2, h->dl.data + off, DL_LEN);
		le_put32(e2 + ID_BYTES + 11, (uint32_t)names.len);
		rc = buf_append(&dl, e2, DL_LEN);
		if (!rc && nl)
			rc = buf_append(&names, h->names.data + no, nl);
	}
	if (!rc) {
		buf_release(&h->cases);
		buf_release(&h->dl);
		buf_release(&h->names);
		h->cases = cases;
		h->dl = dl;
		h->names = names;
	} else {
		buf_release(&cases);
		buf_release(&dl);
		buf_release(&names);
	}
	store_record_init(&r);
	for (size_t i = 0; !rc && i < n; i++) {
		struct id id;

		/* Each id once (sorted): a record changed twice is read once. */
		if (i && memcmp(k.ids.data + i * ID_BYTES,
				k.ids.data + (i - 1) * ID_BYTES, ID_BYTES) == 0)
			continue;
		memcpy(id.b, k.ids.data + i * ID_BYTES, ID_BYTES);
		rc = store_get(s, &id, &r, e);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			continue;
		}
		if (!rc && home_coll(h, r.coll))
			rc = summarize(h, &r);
		store_record_release(&r);
		store_record_init(&r);
	}
	store_record_release(&r);
	buf_release(&k.ids);
	return rc;
}

/* ---- the memo as bytes ---- */

/* Check a dl entry: its deadline, date and name within the names. */
static int dl_ok(const uint8_t *d, size_t names_len)
{
	char date[11];

	memcpy(date, d + ID_BYTES + 1, 10);
	date[10] = 0;
	return d[ID_BYTES] < NDEADLINES && day_of(date) >= 0 &&
	       (uint64_t)le_get32(d + ID_BYTES + 11) + d[ID_BYTES + 15] <=
		       names_len;
}

/* The memo's parts from its bytes, if it is this build's and applies. */
static int memo_parse(struct home *h, const uint8_t *p, size_t len,
		      uint64_t removals, uint64_t last, uint64_t *seq)
{
	uint64_t nc, nd, nn;

	if (len < MEMO_HEAD || memcmp(p, MEMO_MAGIC, 4) != 0 ||
	    le_get32(p + 4) != (uint32_t)schema_running_version() ||
	    le_get64(p + 16) != removals || le_get64(p + 8) > last)
		return -1;
	*seq = le_get64(p + 8);
	nc = le_get32(p + 24);
	nd = le_get32(p + 28);
	nn = le_get32(p + 32);
	if (MEMO_HEAD + nc * CASE_LEN + nd * DL_LEN + nn != len)
		return -1;
	p += MEMO_HEAD;
	for (uint64_t i = 0; i < nd; i++)
		if (!dl_ok(p + nc * CASE_LEN + i * DL_LEN, nn))
			return -1;
	if (buf_append(&h->cases, p, nc * CASE_LEN) ||
	    buf_append(&h->dl, p + nc * CASE_LEN, nd * DL_LEN) ||
	    buf_append(&h->names, p + nc * CASE_LEN + nd * DL_LEN, nn)) {
		memo_empty(h);
		return -1;
	}
	return 0;
}

static int memo_load(struct store *s, struct home *h, uint64_t removals,
		     uint64_t last, uint64_t *seq)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	if (store_memo_get(s, VIEW_HOME_MEMO, &data, &len, NULL))
		return -1;
	rc = memo_parse(h, data, len, removals, last, seq);
	store_memo_free(data, len);
	return rc;
}

/* Keep the memo; the bytes, which hold names, are wiped after sealing. */
static int memo_keep(struct store *s, const struct home *h, uint64_t seq,
		     uint64_t removals, struct err *e)
{
	uint8_t head[MEMO_HEAD];
	struct buf out;
	int rc;

	memcpy(head, MEMO_MAGIC, 4);
	le_put32(head + 4, (uint32_t)schema_running_version());
	le_put64(head + 8, seq);
	le_put64(head + 16, removals);
	le_put32(head + 24, (uint32_t)(h->cases.len / CASE_LEN));
	le_put32(head + 28, (uint32_t)(h->dl.len / DL_LEN));
	le_put32(head + 32, (uint32_t)h->names.len);
	buf_init(&out, STORE_MEMO_MAX);
	rc = buf_reserve(&out, MEMO_HEAD + h->cases.len + h->dl.len +
				       h->names.len);
	if (!rc)
		rc = buf_append(&out, head, MEMO_HEAD);
	if (!rc)
		rc = buf_append(&out, h->cases.data, h->cases.len);
	if (!rc)
		rc = buf_append(&out, h->dl.data, h->dl.len);
	if (!rc)
		rc = buf_append(&out, h->names.data, h->names.len);
	if (rc)
		rc = err_set(e, rc, "memo too large");
	else
		rc = store_memo_put(s, VIEW_HOME_MEMO, out.data, out.len, e);
	buf_release(&out);
	return rc;
}

/* The memo brought up to date (loaded and caught up, or built), and
 * kept again when it moved. */
static int memo_current(struct store *s, struct home *h, struct err *e)
{
	uint64_t last = 0, removals = 0, seq = 0;
	int rc, stale = 1;

	rc = store_last_seq(s, &last, e);
	if (!rc)
		rc = store_removals(s, &removals, e);
	if (rc)
		return rc;
	if (memo_load(s, h, removals, last, &seq) == 0) {
		if (seq == last)
			return 0;
		rc = catch_up(s, h, seq, &stale, e);
	}
	if (!rc && stale)
		rc = rebuild(s, h, e);
	if (!rc)
		rc = memo_keep(s, h, last, removals, e);
	return rc;
}

/* ---- the page's figures from the memo ---- */

/* Cases by stage and by bdi_stage: counted by value code. */
static void count_cases(const struct home *h, uint64_t by_stage[256],
			uint64_t by_bdi[256])
{
	for (size_t off = 0; off + CASE_LEN <= h->cases.len; off += CASE_LEN) {
		by_stage[h->cases.data[off + ID_BYTES]]++;
		by_bdi[h->cases.data[off + ID_BYTES + 1]]++;
	}
}

/* The deadlines of the window. */
static int window(struct home *h)
{
	for (size_t off = 0; off + DL_LEN <= h->dl.len; off += DL_LEN) {
		const uint8_t *d = h->dl.data + off;
		const struct deadline *dl = &deadlines[d[ID_BYTES]];
		char date[11], idtext[ID_TEXT_LEN + 1], name[NAME_MAX_LEN + 1];
		size_t nl = d[ID_BYTES + 15];
		struct id id;
		long day;
		json_t *o;

		memcpy(date, d + ID_BYTES + 1, 10);
		date[10] = 0;
		day = day_of(date);
		if (day < h->from || day > h->to)
			continue;
		memcpy(id.b, d, ID_BYTES);
		id_format(&id, idtext);
		memcpy(name, h->names.data + le_get32(d + ID_BYTES + 11), nl);
		name[nl] = 0;
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:o}", "kind",
			      dl->kind, "label", dl->label, "collection",
			      dl->coll, "id", idtext, "date", date, "late",
			      day < h->today, "person",
			      nl ? json_pack("{s:s,s:s}", "id", idtext, "name",
					     name)
				 : json_null());
		sodium_memzero(name, sizeof(name));
		if (!o || json_array_append_new(h->items, o))
			return ERR_NOMEM;
	}
	return 0;
}

/* [{"value","label","count"}] of the counts by value code, in the order
 * f declares values; values without cases left out. */
static json_t *counts(const struct schema_field *f, const uint64_t *n)
{
	json_t *out = json_array();

	for (size_t i = 0; out && f && f->values && f->values[i] && i < 255;
	     i++) {
		const char *label = f->value_labels ? f->value_labels[i]
						    : f->values[i];

		if (n[i + 1] && json_array_append_new(
				       out, json_pack("{s:s,s:s,s:I}", "value",
						      f->values[i], "label",
						      label, "count",
						      (json_int_t)n[i + 1]))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static int by_date(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a,
							  "date"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b,
							  "date"));

	return strcmp(x ? x : "", y ? y : "");
}

/* Sort the array by "date" (Jansson has no sort: through a C array). */
static int sort_items(json_t *items)
{
	size_t n = json_array_size(items);
	json_t **v = n ? calloc(n, sizeof(*v)) : NULL;

	if (n && !v)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(items, i));
	qsort(v, n, sizeof(*v), by_date);
	json_array_clear(items);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, v[i]);
	free(v);
	return 0;
}

int view_home_json(struct store *s, const char *today, int days,
		   json_t **out, struct err *e)
{
	uint64_t by_stage[256] = { 0 }, by_bdi[256] = { 0 };
	struct home h;
	int rc = 0;

	*out = NULL;
	memset(&h, 0, sizeof(h));
	buf_init(&h.cases, STORE_MEMO_MAX);
	buf_init(&h.dl, STORE_MEMO_MAX);
	buf_init(&h.names, STORE_MEMO_MAX);
	h.today = day_of(today);
	if (h.today < 0 || days < 1 || days > 365) {
		rc = err_set(e, ERR_INVALID, "bad day or window");
		goto out;
	}
	h.from = h.today - VIEW_HOME_PAST_DAYS;
	h.to = h.today + days;
	h.person = schema_search_collection();
	h.case_coll = schema_collection("case");
	h.stage = h.case_coll ? schema_field(h.case_coll, "stage") : NULL;
	h.bdi = h.case_coll ? schema_field(h.case_coll, "bdi_stage") : NULL;
	h.items = json_array();
	if (!h.items) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = memo_current(s, &h, e);
	if (!rc) {
		count_cases(&h, by_stage, by_bdi);
		if (window(&h) || sort_items(h.items))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (!rc) {
		*out = json_pack("{s:{s:I,s:o,s:o},s:O}", "cases", "total",
				 (json_int_t)(h.cases.len / CASE_LEN),
				 "by_stage", counts(h.stage, by_stage),
				 "by_bdi_stage", counts(h.bdi, by_bdi),
				 "deadlines", h.items);
		if (!*out)
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
out:
	json_decref(h.items);
	buf_release(&h.cases);
	buf_release(&h.dl);
	buf_release(&h.names);
	return rc;
}
