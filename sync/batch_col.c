/*
 * batch_col.c - the columns of a format-2 batch (batch.h): built change
 * by change by the sender, read back and checked by the receiver.
 *
 * Why columns: zlib finds repeats within a window of 32 KB.  Rows put a
 * change's origin, operator, times and values side by side, all
 * different; columns put every change's time next to the one before it
 * (a small difference), every person's family name next to the other
 * family names, and the fixed parts of a change are numbers of a byte or
 * two.  Record ids go as their 16 bytes: random, nothing packs them.
 *
 * The receiver never builds a tree of the batch: it reads the columns
 * with bounds on every count and length, and parses each value alone,
 * bounded as format 1 bounds a change (batch_bounds.c).
 */
#include "sync/batch.h"
#include "sync/batch_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/jscan.h"
#include "schema/schema.h"

#define COLLS_MAX 256    /* collections a batch names, at most */
#define KEYS_MAX 1024    /* value keys a batch names, at most */
#define VALUE_DEPTH (SYNC_BATCH_MAX_DEPTH - 4) /* a value's own nesting:
			   format 1 nests it in the document, the change
			   list, the row and the values object */
#define HEAD_STRING 256  /* a name or id in the head */
#define VARINT_MAX 10

enum col {
	C_OSEQ, C_RECORD, C_COLL, C_KIND, C_NODE, C_OP, C_HLC, C_NKEYS,
	C_KEYS, C_NPREV, C_PREV, NCOLS
};

struct batch_cols {
	struct buf col[NCOLS];
	struct buf *vals;      /* a column per key, as keys lists them */
	size_t nvals, capvals;
	json_t *colls, *keys;  /* arrays of names */
	size_t last_key;       /* where the last key was found: the next
				  is most often the one after it */
	uint64_t oseq, hlc;    /* of the change before: the deltas' base */
};

/* ---- building ---- */

int batch_cols_new(struct batch_cols **out)
{
	struct batch_cols *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return ERR_NOMEM;
	for (int i = 0; i < NCOLS; i++)
		buf_init(&c->col[i], SIZE_MAX);
	c->col[C_RECORD].start = 16 * 1024;
	c->colls = json_array();
	c->keys = json_array();
	if (!c->colls || !c->keys) {
		batch_cols_free(c);
		return ERR_NOMEM;
	}
	*out = c;
	return 0;
}

void batch_cols_free(struct batch_cols *c)
{
	if (!c)
		return;
	for (int i = 0; i < NCOLS; i++)
		buf_release(&c->col[i]);
	for (size_t i = 0; i < c->nvals; i++)
		buf_release(&c->vals[i]);
	free(c->vals);
	json_decref(c->colls);
	json_decref(c->keys);
	free(c);
}

static int put_uv(struct buf *b, uint64_t v)
{
	uint8_t t[VARINT_MAX];
	size_t n = 0;

	do {
		t[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	return buf_append(b, t, n) ? ERR_NOMEM : 0;
}

/* A signed difference, zigzag: small either way, small on the wire. */
static int put_sv(struct buf *b, uint64_t to, uint64_t from)
{
	int64_t d = (int64_t)(to - from);

	return put_uv(b, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
}

/* The index of name (n bytes) in the array a, appended when new; hint:
 * where to look first.  -1 when out of memory or the list is full. */
static long name_index(json_t *a, const char *name, size_t n, size_t hint,
		       size_t max)
{
	size_t size = json_array_size(a);
	json_t *s;

	for (size_t k = 0; k < size; k++) {
		size_t i = (hint + k) % size;
		const json_t *v = json_array_get(a, i);

		if (json_string_length(v) == n &&
		    !memcmp(json_string_value(v), name, n))
			return (long)i;
	}
	if (size >= max)
		return -1;
	s = json_stringn(name, n);
	if (!s || json_array_append_new(a, s))
		return -1;
	return (long)size;
}

/* The column of the key at index k, made when new. */
static struct buf *key_column(struct batch_cols *c, size_t k)
{
	if (k >= c->capvals) {
		size_t cap = c->capvals ? 2 * c->capvals : 32;
		struct buf *v = realloc(c->vals, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->vals = v;
		c->capvals = cap;
	}
	while (c->nvals <= k)
		buf_init(&c->vals[c->nvals++], SIZE_MAX);
	return &c->vals[k];
}

/* One value: its key in the change's key column, its text (len bytes;
 * NULL: json written there) in its key's column. */
static int put_value(struct batch_cols *c, const char *key, size_t klen,
		     const char *text, size_t len, const json_t *json)
{
	const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	long k = name_index(c->keys, key, klen, c->last_key + 1, KEYS_MAX);
	struct buf *col;

	if (k < 0)
		return ERR_NOMEM;
	c->last_key = (size_t)k;
	col = key_column(c, (size_t)k);
	if (!col || put_uv(&c->col[C_KEYS], (uint64_t)k))
		return ERR_NOMEM;
	if (json)
		len = json_dumpb(json, NULL, 0, flags);
	if (!len || put_uv(col, len) || buf_reserve(col, len))
		return ERR_NOMEM;
	if (!json)
		memcpy(buf_tail(col), text, len);
	else if (json_dumpb(json, (char *)buf_tail(col), len, flags) != len)
		return ERR_NOMEM;
	buf_advance(col, len);
	return 0;
}

struct text_walk {
	struct batch_cols *c;
	size_t n; /* values */
};

static int put_member(void *ctx, const char *key, size_t klen,
		      const char *val, size_t vlen)
{
	struct text_walk *w = ctx;

	w->n++;
	return put_value(w->c, key, klen, val, vlen, NULL);
}

/* The values of ch into the key and value columns; *n how many. */
static int put_values(struct batch_cols *c, const struct store_change *ch,
		      size_t *n)
{
	struct text_walk w = { c, 0 };
	const char *key;
	json_t *v;
	int rc;

	*n = 0;
	if (!ch->fields) {
		rc = jscan_members(ch->text, ch->text_len, put_member, &w);
		*n = w.n;
		return rc;
	}
	if (!json_is_object(ch->fields))
		return ERR_INVALID;
	json_object_foreach(ch->fields, key, v) {
		rc = put_value(c, key, strlen(key), NULL, 0, v);
		if (rc)
			return rc;
		++*n;
	}
	return 0;
}

int batch_cols_add(struct batch_cols *c, const struct store_change *ch,
		   size_t node, size_t op, const size_t *prev_node)
{
	size_t mark[NCOLS], nvals = c->nvals, n = 0, *vmark = NULL;
	uint64_t oseq = c->oseq, hlc = c->hlc;
	uint8_t kind = (uint8_t)ch->kind;
	long coll;
	int rc = ERR_NOMEM;

	for (int i = 0; i < NCOLS; i++)
		mark[i] = c->col[i].len;
	vmark = nvals ? malloc(nvals * sizeof(*vmark)) : NULL;
	if (nvals && !vmark)
		return ERR_NOMEM;
	for (size_t i = 0; i < nvals; i++)
		vmark[i] = c->vals[i].len;
	coll = name_index(c->colls, ch->coll->name, strlen(ch->coll->name), 0,
			  COLLS_MAX);
	if (coll < 0 || put_sv(&c->col[C_OSEQ], ch->origin_seq, c->oseq) ||
	    buf_append(&c->col[C_RECORD], ch->record.b, ID_BYTES) ||
	    put_uv(&c->col[C_COLL], (uint64_t)coll) ||
	    buf_append(&c->col[C_KIND], &kind, 1) ||
	    put_uv(&c->col[C_NODE], node) || put_uv(&c->col[C_OP], op) ||
	    put_sv(&c->col[C_HLC], ch->hlc, c->hlc) ||
	    put_uv(&c->col[C_NPREV], ch->nprev_ids))
		goto out;
	for (size_t i = 0; i < ch->nprev_ids; i++)
		if (put_uv(&c->col[C_PREV], ch->prev_ids[i].field) ||
		    put_sv(&c->col[C_PREV], ch->prev_ids[i].v.hlc, ch->hlc) ||
		    put_uv(&c->col[C_PREV], prev_node[i]))
			goto out;
	rc = put_values(c, ch, &n);
	if (!rc)
		rc = put_uv(&c->col[C_NKEYS], n);
	if (rc)
		goto out;
	c->oseq = ch->origin_seq;
	c->hlc = ch->hlc;
out:
	if (rc) {
		/* Nothing of it stays (a key it named stays listed, with a
		 * column that may be empty: harmless). */
		for (int i = 0; i < NCOLS; i++)
			c->col[i].len = mark[i];
		for (size_t i = 0; i < c->nvals; i++)
			c->vals[i].len = i < nvals ? vmark[i] : 0;
		c->oseq = oseq;
		c->hlc = hlc;
	}
	free(vmark);
	return rc;
}

size_t batch_cols_bytes(const struct batch_cols *c)
{
	size_t n = 0;

	for (int i = 0; i < NCOLS; i++)
		n += c->col[i].len;
	for (size_t i = 0; i < c->nvals; i++)
		n += c->vals[i].len;
	return n;
}

json_t *batch_cols_colls(const struct batch_cols *c)
{
	return c->colls;
}

json_t *batch_cols_keys(const struct batch_cols *c)
{
	return c->keys;
}

int batch_cols_payload(const struct batch_cols *c, const char *head,
		       size_t hlen, struct buf *out)
{
	if (put_uv(out, hlen) || buf_append(out, head, hlen))
		return ERR_NOMEM;
	for (int i = 0; i < NCOLS; i++)
		if (buf_append(out, c->col[i].data, c->col[i].len))
			return ERR_NOMEM;
	for (size_t i = 0; i < json_array_size(c->keys); i++)
		if (i < c->nvals &&
		    buf_append(out, c->vals[i].data, c->vals[i].len))
			return ERR_NOMEM;
	return 0;
}

/* ---- reading ---- */

struct rd {
	const uint8_t *p, *end;
};

static int get_uv(struct rd *r, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (r->p >= r->end)
			return -1;
		b = *r->p++;
		if (shift == 63 && b > 1)
			return -1;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (x > max)
				return -1;
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* base plus a zigzag difference, which must land in [min, INT64_MAX]. */
static int get_sv(struct rd *r, uint64_t base, uint64_t min, uint64_t *v)
{
	uint64_t z;
	int64_t d, sum;

	if (get_uv(r, UINT64_MAX, &z))
		return -1;
	d = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	if (base > INT64_MAX || __builtin_add_overflow((int64_t)base, d, &sum) ||
	    sum < 0 || (uint64_t)sum < min)
		return -1;
	*v = (uint64_t)sum;
	return 0;
}

/* The head's lists: names of collections, of keys. */
static int head_names(const json_t *doc, const char *member, size_t max,
		      int keys, struct err *e)
{
	const json_t *a = json_object_get(doc, member);
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) > max)
		return err_set(e, ERR_INVALID, "batch: bad %s list", member);
	json_array_foreach(a, i, v)
		if (!json_is_string(v) ||
		    (!schema_name_ok(json_string_value(v)) &&
		     !(keys && !strcmp(json_string_value(v),
				       SCHEMA_FIELD_DELETED_NAME))))
			return err_set(e, ERR_INVALID, "batch: bad %s list",
				       member);
	return 0;
}

/* The head: bounded, then parsed and checked (not the meta's meaning:
 * the caller's). */
static int read_head(struct rd *r, json_t **doc, size_t *n, struct err *e)
{
	static const char *const known[] = { "v", "n", "nodes", "ops",
					     "colls", "keys", "meta" };
	struct jscan_limits lim = {
		/* every node twice, every operator with its role, the
		 * purge list, the names */
		.max_values = 64 + 4 * (size_t)SYNC_BATCH_MAX_CHANGES +
			      3 * (size_t)SYNC_BATCH_MAX_PURGE +
			      3 * (size_t)SYNC_BATCH_MAX_CHANGES + COLLS_MAX +
			      KEYS_MAX,
		.max_depth = 4,
		.max_string = HEAD_STRING,
		.max_number = 24,
	};
	uint64_t hlen;
	const json_t *v;
	const char *key;

	*doc = NULL;
	if (get_uv(r, (uint64_t)(r->end - r->p), &hlen))
		return err_set(e, ERR_INVALID, "batch: bad head");
	*doc = jscan_load((const char *)r->p, hlen, JSON_REJECT_DUPLICATES,
			  &lim, "batch head", e);
	if (!*doc)
		return ERR_INVALID; /* e says which bound, or not JSON */
	r->p += hlen;
	if (!json_is_object(*doc))
		return err_set(e, ERR_INVALID, "batch head is not an object");
	json_object_foreach(*doc, key, v) {
		size_t i = 0;

		while (i < sizeof(known) / sizeof(known[0]) &&
		       strcmp(key, known[i]))
			i++;
		if (i == sizeof(known) / sizeof(known[0]))
			return err_set(e, ERR_INVALID, "batch: unknown member");
	}
	v = json_object_get(*doc, "v");
	if (!json_is_integer(v) || json_integer_value(v) != 2)
		return err_set(e, ERR_INVALID, "batch payload version unknown");
	v = json_object_get(*doc, "n");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > SYNC_BATCH_MAX_CHANGES)
		return err_set(e, ERR_INVALID, "batch: bad change count");
	*n = (size_t)json_integer_value(v);
	if (json_object_get(*doc, "meta") &&
	    !json_is_object(json_object_get(*doc, "meta")))
		return err_set(e, ERR_INVALID, "batch: bad meta");
	if (head_names(*doc, "colls", COLLS_MAX, 0, e) ||
	    head_names(*doc, "keys", KEYS_MAX, 1, e))
		return ERR_INVALID;
	return sync_batch_meta_known(json_object_get(*doc, "meta"), e);
}

/* What the columns say of each change but its values: counts of values
 * (nkeys) and their keys (keys, *nk of them), the versions. */
struct frame {
	const json_t *doc;
	const uint8_t *end; /* of the payload */
	struct id *nodes;
	size_t nnodes, nops, ncolls, nkeys_list;
	size_t *nkeys;    /* values of each change */
	uint32_t *keys;   /* their keys, change after change */
	size_t nk;
};

static int bad_column(size_t i, const char *what, struct err *e)
{
	return err_set(e, ERR_INVALID, "batch: change %zu: bad %s", i, what);
}

/* A name of the head's list member, by an index read from r. */
static const char *name_at(struct rd *r, const json_t *doc,
			   const char *member)
{
	const json_t *list = json_object_get(doc, member);
	uint64_t v;

	if (!json_array_size(list) ||
	    get_uv(r, json_array_size(list) - 1, &v))
		return NULL;
	return json_string_value(json_array_get(list, (size_t)v));
}

static int read_fixed(struct rd *r, struct frame *f, struct sync_parsed *ps,
		      size_t n, struct err *e)
{
	uint64_t v, base = 0;

	for (size_t i = 0; i < n; base = ps[i++].in.origin_seq)
		if (get_sv(r, base, 1, &ps[i].in.origin_seq))
			return bad_column(i, "sequence", e);
	for (size_t i = 0; i < n; i++, r->p += ID_BYTES) {
		if (r->end - r->p < ID_BYTES)
			return bad_column(i, "record id", e);
		memcpy(ps[i].in.record.b, r->p, ID_BYTES);
	}
	for (size_t i = 0; i < n; i++)
		if (!(ps[i].in.collection = name_at(r, f->doc, "colls")))
			return bad_column(i, "collection", e);
	for (size_t i = 0; i < n; i++, r->p++) {
		if (r->p >= r->end || *r->p < STORE_CHANGE_CREATE ||
		    *r->p > STORE_CHANGE_RESOLVE)
			return bad_column(i, "kind", e);
		ps[i].in.kind = (enum store_change_kind)*r->p;
	}
	for (size_t i = 0; i < n; i++) {
		if (!f->nnodes || get_uv(r, f->nnodes - 1, &v))
			return bad_column(i, "node", e);
		ps[i].in.origin = f->nodes[v];
	}
	for (size_t i = 0; i < n; i++)
		if (!(ps[i].in.operator = name_at(r, f->doc, "ops")))
			return bad_column(i, "operator", e);
	base = 0;
	for (size_t i = 0; i < n; base = ps[i++].in.hlc)
		if (get_sv(r, base, 1, &ps[i].in.hlc))
			return bad_column(i, "time", e);
	for (size_t i = 0; i < n; i++) {
		/* Each value takes a byte of the keys' column at least. */
		if (get_uv(r, f->nkeys_list, &v) ||
		    f->nk + v > (uint64_t)(r->end - r->p))
			return bad_column(i, "value count", e);
		f->nkeys[i] = (size_t)v;
		f->nk += (size_t)v;
	}
	return 0;
}

static int read_keys_and_versions(struct rd *r, struct frame *f,
				  struct sync_parsed *ps, size_t n,
				  size_t *count, struct err *e)
{
	uint64_t v;

	f->keys = malloc((f->nk + 1) * sizeof(*f->keys));
	if (!f->keys)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < f->nk; i++) {
		if (!f->nkeys_list || get_uv(r, f->nkeys_list - 1, &v))
			return err_set(e, ERR_INVALID, "batch: bad value key");
		f->keys[i] = (uint32_t)v;
		count[v]++;
	}
	for (size_t i = 0, all = 0; i < n; i++) {
		/* Each version takes three bytes at least: the count is
		 * bounded by what is left before anything is allocated. */
		if (get_uv(r, VERSION_SET_MAX, &v) ||
		    (all += (size_t)v) > (size_t)(r->end - r->p) / 3)
			return err_set(e, ERR_INVALID,
				       "batch: change %zu: too many versions",
				       i);
		ps[i].in.nprev = (size_t)v;
		ps[i].prev = v ? calloc((size_t)v, sizeof(*ps[i].prev)) : NULL;
		if (v && !ps[i].prev)
			return err_set(e, ERR_NOMEM, "out of memory");
		ps[i].in.prev = ps[i].prev;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ps[i].in.nprev; j++) {
			struct merge_prev *p = &ps[i].prev[j];

			if (get_uv(r, UINT16_MAX, &v) ||
			    !((p->field = (uint16_t)v), 1) ||
			    get_sv(r, ps[i].in.hlc, 0, &p->v.hlc) ||
			    !f->nnodes || get_uv(r, f->nnodes - 1, &v))
				return err_set(e, ERR_INVALID, "batch: change "
					       "%zu: malformed version", i);
			p->v.node = f->nodes[v];
		}
	return 0;
}

/* Where each key's column starts, every length within the payload, and
 * nothing after the last. */
static int value_columns(struct rd *r, const size_t *count, size_t nkeys,
			 const uint8_t **at, struct err *e)
{
	uint64_t len;

	for (size_t k = 0; k < nkeys; k++) {
		at[k] = r->p;
		for (size_t j = 0; j < count[k]; j++) {
			if (get_uv(r, (uint64_t)(r->end - r->p), &len) || !len)
				return err_set(e, ERR_INVALID,
					       "batch: bad value column");
			r->p += len;
		}
	}
	if (r->p != r->end)
		return err_set(e, ERR_INVALID, "batch: bytes after the last "
					       "column");
	return 0;
}

/* Change k's values, from its keys and the columns' cursors at. */
static int read_values(size_t k, const struct frame *f, size_t from,
		       const uint8_t **at, const struct jscan_limits *lim,
		       size_t *total, json_t **out, struct err *e)
{
	const json_t *names = json_object_get(f->doc, "keys");
	size_t bytes = 0, values = 1;
	json_t *o = json_object();

	*out = o;
	if (!o)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (size_t j = 0; j < f->nkeys[k]; j++) {
		uint32_t key = f->keys[from + j];
		const char *name = json_string_value(json_array_get(names, key));
		struct rd r = { at[key], f->end };
		uint64_t len;
		size_t nv = 0;
		json_error_t je;
		json_t *v;

		/* Lengths were checked against the payload's end. */
		if (get_uv(&r, UINT64_MAX, &len))
			return err_set(e, ERR_INVALID, "batch: bad value");
		at[key] = r.p + len;
		bytes += len;
		if (bytes > lim->elem_bytes || json_object_get(o, name) ||
		    jscan_check((const char *)r.p, len, lim, "batch value",
				&nv, e))
			return err_set(e, ERR_INVALID,
				       "batch: change %zu: bad values", k);
		values += 1 + nv;
		*total += 1 + nv;
		if (values > lim->elem_values ||
		    *total > SYNC_BATCH_MAX_VALUES)
			return err_set(e, ERR_INVALID,
				       "batch: change %zu: too many values",
				       k);
		v = json_loadb((const char *)r.p, len,
			       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (!v || json_object_set_new(o, name, v))
			return err_set(e, v ? ERR_NOMEM : ERR_INVALID,
				       "batch: change %zu: bad values", k);
	}
	return 0;
}

static int read_changes(struct rd *r, struct frame *f, struct sync_parsed *ps,
			size_t n, int newer, struct err *e)
{
	size_t nkeys = json_array_size(json_object_get(f->doc, "keys"));
	size_t *count = calloc(nkeys + 1, sizeof(*count)), from = 0, total = 0;
	const uint8_t **at = calloc(nkeys + 1, sizeof(*at));
	struct jscan_limits lim;
	int rc;

	if (!count || !at) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	sync_batch_text_limits(&lim);
	lim.max_depth = VALUE_DEPTH;
	lim.elem_depth = 0;
	rc = read_fixed(r, f, ps, n, e);
	if (!rc)
		rc = read_keys_and_versions(r, f, ps, n, count, e);
	if (!rc)
		rc = value_columns(r, count, nkeys, at, e);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct schema_collection *coll =
			schema_collection(ps[i].in.collection);

		rc = read_values(i, f, from, at, &lim, &total, &ps[i].fields,
				 e);
		from += f->nkeys[i];
		ps[i].in.fields = ps[i].fields;
		ps[i].in.newer_schema = newer;
		if (rc)
			break;
		if (!coll && !newer)
			rc = err_set(e, ERR_INVALID, "batch: change %zu: "
				     "unknown collection", i);
		else if (!coll) {
			ps[i].skip = 1;
			rc = sync_batch_check_opaque(i, ps[i].fields, e);
		} else
			rc = sync_batch_check_values(
				i, coll, ps[i].fields,
				ps[i].in.kind == STORE_CHANGE_CREATE, newer, e);
	}
out:
	free(count);
	free(at);
	return rc;
}

int batch_cols_read(const uint8_t *p, size_t len, json_t **doc,
		    struct sync_parsed **ps, size_t *n, struct err *e)
{
	struct rd r = { p, p + len };
	struct frame f = { 0 };
	size_t count = 0;
	int rc;

	*ps = NULL;
	*n = 0;
	rc = read_head(&r, doc, &count, e);
	if (!rc)
		rc = sync_batch_lists(*doc, &f.nodes, &f.nnodes, e);
	if (rc)
		goto out;
	f.doc = *doc;
	f.end = p + len;
	f.nops = json_array_size(json_object_get(*doc, "ops"));
	f.ncolls = json_array_size(json_object_get(*doc, "colls"));
	f.nkeys_list = json_array_size(json_object_get(*doc, "keys"));
	f.nkeys = calloc(count + 1, sizeof(*f.nkeys));
	*ps = calloc(count + 1, sizeof(**ps));
	if (!f.nkeys || !*ps) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = read_changes(&r, &f, *ps, count,
			  sync_batch_newer(json_object_get(*doc, "meta")), e);
out:
	free(f.nodes);
	free(f.nkeys);
	free(f.keys);
	if (rc) {
		sync_parsed_free(*ps, count);
		*ps = NULL;
		json_decref(*doc);
		*doc = NULL;
		return rc;
	}
	*n = count;
	return 0;
}
