/* batch.c - see batch.h. */
#include "sync/batch.h"
#include "sync/batch_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/jscan.h"
#include "common/jtext.h"
#include "common/zflate.h"

#define MAGIC "PRSB"
#define HEADER (4 + 1 + ID_BYTES + 4)
#define SIGBYTES crypto_sign_BYTES
#define CHANGE_ITEMS 9

struct sync_batch {
	size_t values;   /* JSON values in the payload, about (keys count) */
	json_t *nodes;   /* array of hex32 node ids */
	json_t *ops;     /* array of operator names */
	json_t *meta;    /* object or NULL: see sync_batch_set_meta() */
	struct buf rows; /* the changes' JSON, comma-separated (values in
			    clear: wiped whenever it moves or goes) */
	size_t count;    /* changes added */
	uint64_t first, last;
	int format;      /* SYNC_BATCH_ROWS, or 2: cols holds the changes */
	struct batch_cols *cols;
};

int sync_batch_new(struct sync_batch **out)
{
	struct sync_batch *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return ERR_NOMEM;
	buf_init(&b->rows, SIZE_MAX);
	b->rows.start = 64 * 1024;
	b->format = SYNC_BATCH_ROWS;
	b->nodes = json_array();
	b->ops = json_array();
	if (!b->nodes || !b->ops) {
		sync_batch_free(b);
		return ERR_NOMEM;
	}
	*out = b;
	return 0;
}

void sync_batch_free(struct sync_batch *b)
{
	if (!b)
		return;
	json_decref(b->nodes);
	json_decref(b->ops);
	json_decref(b->meta);
	buf_release(&b->rows);
	batch_cols_free(b->cols);
	free(b);
}

int sync_batch_set_format(struct sync_batch *b, int format)
{
	if (b->count || format < SYNC_BATCH_ROWS ||
	    format > SYNC_BATCH_FORMAT_MAX)
		return ERR_INVALID;
	if (format > SYNC_BATCH_ROWS && !b->cols && batch_cols_new(&b->cols))
		return ERR_NOMEM;
	b->format = format;
	return 0;
}

const json_t *sync_batch_operators(const struct sync_batch *b)
{
	return b->ops;
}

int sync_batch_set_meta(struct sync_batch *b, json_t *meta)
{
	if (!json_is_object(meta)) {
		json_decref(meta);
		return ERR_INVALID;
	}
	json_decref(b->meta);
	b->meta = meta;
	return 0;
}

json_t *sync_batch_meta(struct sync_batch *b)
{
	return b->meta;
}

size_t sync_batch_count(const struct sync_batch *b)
{
	return b->count;
}

size_t sync_batch_bytes(const struct sync_batch *b)
{
	size_t weight = b->values > SIZE_MAX / SYNC_BATCH_VALUE_BYTES
				? SIZE_MAX
				: b->values * SYNC_BATCH_VALUE_BYTES;

	size_t bytes = b->cols ? batch_cols_bytes(b->cols) : b->rows.len;

	return weight > bytes ? weight : bytes;
}

uint64_t sync_batch_first(const struct sync_batch *b)
{
	return b->first;
}

uint64_t sync_batch_last(const struct sync_batch *b)
{
	return b->last;
}

static void id_hex(const struct id *id, char out[2 * ID_BYTES + 1])
{
	sodium_bin2hex(out, 2 * ID_BYTES + 1, id->b, ID_BYTES);
}

/* Index of s in the string array a, appending it when new; -1 on ENOMEM. */
static json_int_t intern(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (!strcmp(json_string_value(v), s))
			return (json_int_t)i;
	if (json_array_append_new(a, json_string(s)))
		return -1;
	return (json_int_t)json_array_size(a) - 1;
}

static json_int_t intern_node(json_t *a, const struct id *id)
{
	char hex[2 * ID_BYTES + 1];

	id_hex(id, hex);
	return intern(a, hex);
}

static int rows_put(struct sync_batch *b, const char *text, size_t n)
{
	/* Unbounded here: the callers bound a batch by sync_batch_bytes(). */
	return buf_append(&b->rows, text, n) ? ERR_NOMEM : 0;
}

/* c was added, weighing nvalues JSON values. */
static void added(struct sync_batch *b, const struct store_change *c,
		  size_t nvalues)
{
	b->count++;
	b->values += nvalues;
	if (!b->first)
		b->first = c->origin_seq;
	b->last = c->origin_seq;
}

/* c into the columns of a format-2 batch: the nodes of its versions
 * listed first. */
static int add_to_columns(struct sync_batch *b, const struct store_change *c,
			  json_int_t node, json_int_t op)
{
	size_t prev_node[VERSION_SET_MAX];

	if (c->nprev_ids > VERSION_SET_MAX)
		return ERR_INVALID;
	for (size_t i = 0; i < c->nprev_ids; i++) {
		json_int_t pn = intern_node(b->nodes, &c->prev_ids[i].v.node);

		if (pn < 0)
			return ERR_NOMEM;
		prev_node[i] = (size_t)pn;
	}
	return batch_cols_add(b->cols, c, (size_t)node, (size_t)op, prev_node);
}

/*
 * A change as a JSON row (batch.h), written as text: every string in it
 * is an id in hex or a collection name, which need no escaping, and the
 * values are either the change's object serialised or, when the store
 * handed them over as text (a hub relaying what it sealed), that text as
 * it is, without parsing and serialising it again.
 */
int sync_batch_add(struct sync_batch *b, const struct store_change *c)
{
	char rec[2 * ID_BYTES + 1], head[256], item[96];
	const char *values = c->text;
	size_t vlen = c->text_len, mark = b->rows.len, nvalues = 0;
	char *dumped = NULL;
	json_int_t node, op;
	int n, rc = ERR_NOMEM;

	/* What open would refuse is refused here already. */
	if ((!c->fields && !c->text) || !c->coll ||
	    keyslot_check_operator(c->operator, NULL) ||
	    !schema_name_ok(c->coll->name))
		return ERR_INVALID;
	if (b->count >= SYNC_BATCH_MAX_CHANGES)
		return ERR_INVALID;
	/* What the receiver counts: the row, its items, values, versions
	 * (and the node and operator they may add to the lists). */
	if (c->fields)
		nvalues = sync_batch_values_of(c->fields);
	else if (jscan_check(c->text, c->text_len, &jscan_unbounded, "values",
			     &nvalues, NULL))
		return ERR_INVALID;
	nvalues += CHANGE_ITEMS + 2 + 4 * c->nprev_ids;
	if (nvalues > SYNC_BATCH_MAX_VALUES - b->values)
		return ERR_INVALID;
	node = intern_node(b->nodes, &c->origin);
	op = intern(b->ops, c->operator);
	if (node < 0 || op < 0)
		return ERR_NOMEM;
	if (b->format > SYNC_BATCH_ROWS) {
		rc = add_to_columns(b, c, node, op);
		if (!rc)
			added(b, c, nvalues);
		return rc;
	}
	if (!values) {
		dumped = jtext_dump(c->fields, JSON_COMPACT, &vlen);
		if (!dumped)
			return ERR_NOMEM;
		values = dumped;
	}
	id_hex(&c->record, rec);
	n = snprintf(head, sizeof(head),
		     "%s[%" PRIu64 ",\"%s\",\"%s\",%d,%" JSON_INTEGER_FORMAT
		     ",%" JSON_INTEGER_FORMAT ",%" PRIu64 ",",
		     b->count ? "," : "", c->origin_seq, rec, c->coll->name,
		     (int)c->kind, node, op, c->hlc);
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    rows_put(b, head, (size_t)n) || rows_put(b, values, vlen) ||
	    rows_put(b, ",[", 2))
		goto out;
	for (size_t i = 0; i < c->nprev_ids; i++) {
		json_int_t pn = intern_node(b->nodes, &c->prev_ids[i].v.node);

		n = snprintf(item, sizeof(item),
			     "%s[%d,%" PRIu64 ",%" JSON_INTEGER_FORMAT "]",
			     i ? "," : "", (int)c->prev_ids[i].field,
			     c->prev_ids[i].v.hlc, pn);
		if (pn < 0 || n < 0 || (size_t)n >= sizeof(item) ||
		    rows_put(b, item, (size_t)n))
			goto out;
	}
	if (rows_put(b, "]]", 2))
		goto out;
	added(b, c, nvalues);
	rc = 0;
out:
	if (rc)
		b->rows.len = mark; /* nothing of a failed row stays */
	if (dumped) {
		sodium_memzero(dumped, vlen);
		free(dumped);
	}
	return rc;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Format 2's payload (batch.h): its head, then the columns. */
static int payload_cols(const struct sync_batch *b, char **text, size_t *n)
{
	json_t *head = json_pack("{sisIsOsOsOsO}", "v", b->format, "n",
				 (json_int_t)b->count, "nodes", b->nodes,
				 "ops", b->ops, "colls",
				 batch_cols_colls(b->cols), "keys",
				 batch_cols_keys(b->cols));
	char *htext = NULL;
	size_t hlen = 0;
	struct buf out;
	int rc = ERR_NOMEM;

	buf_init(&out, SIZE_MAX);
	out.start = batch_cols_bytes(b->cols) + 1024;
	if (head && b->meta && json_object_set(head, "meta", b->meta))
		goto out;
	htext = head ? jtext_dump(head, JSON_COMPACT, &hlen) : NULL;
	if (!htext || batch_cols_payload(b->cols, htext, hlen, &out))
		goto out;
	*text = (char *)buf_steal(&out, n, NULL);
	rc = *text ? 0 : ERR_NOMEM;
out:
	buf_release(&out);
	free(htext);
	json_decref(head);
	return rc;
}

/* The payload: {"v":1,"nodes":[...],"ops":[...],"meta":{...},
 * "changes":[rows]} as text in *text (caller wipes and frees). */
static int payload_rows(const struct sync_batch *b, char **text, size_t *n)
{
	char *nodes = jtext_dump(b->nodes, JSON_COMPACT, NULL);
	char *ops = jtext_dump(b->ops, JSON_COMPACT, NULL);
	char *meta = b->meta ? jtext_dump(b->meta, JSON_COMPACT, NULL) : NULL;
	size_t cap = 0;
	int w, rc = ERR_NOMEM;

	*text = NULL;
	if (!nodes || !ops || (b->meta && !meta))
		goto out;
	cap = strlen(nodes) + strlen(ops) + (meta ? strlen(meta) : 0) +
	      b->rows.len + 64;
	*text = malloc(cap);
	if (!*text)
		goto out;
	w = snprintf(*text, cap, "{\"v\":%d,\"nodes\":%s,\"ops\":%s%s%s,"
		     "\"changes\":[", SYNC_BATCH_VERSION, nodes, ops,
		     meta ? ",\"meta\":" : "", meta ? meta : "");
	if (w < 0 || (size_t)w + b->rows.len + 3 > cap)
		goto out;
	if (b->rows.len)
		memcpy(*text + w, b->rows.data, b->rows.len);
	memcpy(*text + (size_t)w + b->rows.len, "]}", 3);
	*n = (size_t)w + b->rows.len + 2;
	rc = 0;
out:
	if (rc && *text) {
		sodium_memzero(*text, cap);
		free(*text);
		*text = NULL;
	}
	free(nodes);
	free(ops);
	free(meta);
	return rc;
}

static int payload(const struct sync_batch *b, char **text, size_t *n)
{
	*text = NULL;
	return b->format > SYNC_BATCH_ROWS ? payload_cols(b, text, n)
					   : payload_rows(b, text, n);
}

int sync_batch_seal(const struct sync_batch *b, const struct id *sender,
		    const uint8_t *sk, uint8_t **out, size_t *outlen,
		    size_t *json_bytes, struct err *e)
{
	char *text = NULL;
	uint8_t *env = NULL;
	size_t n = 0, envcap = 0;
	uLongf zlen;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	if (payload(b, &text, &n)) {
		rc = err_set(e, ERR_NOMEM, "cannot serialise batch");
		goto out;
	}
	if (json_bytes)
		*json_bytes = n;
	/* What the receiver would refuse is refused here: the sender splits
	 * the batch instead of having it bounce forever. */
	if (n > SYNC_BATCH_MAX_INFLATED) {
		rc = err_set(e, ERR_INVALID,
			     "batch larger than %u bytes: send fewer changes",
			     SYNC_BATCH_MAX_INFLATED);
		goto out;
	}
	zlen = compressBound((uLong)n);
	if (zlen > UINT32_MAX) {
		rc = err_set(e, ERR_INVALID, "batch too large");
		goto out;
	}
	envcap = HEADER + zlen + SIGBYTES;
	env = malloc(envcap);
	if (!env) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (compress2(env + HEADER, &zlen, (const Bytef *)text, (uLong)n, 6) !=
	    Z_OK) {
		rc = err_set(e, ERR_FAIL, "cannot compress batch");
		goto out;
	}
	memcpy(env, MAGIC, 4);
	env[4] = (uint8_t)b->format;
	memcpy(env + 5, sender->b, ID_BYTES);
	put_u32(env + 5 + ID_BYTES, (uint32_t)zlen);
	crypto_sign_detached(env + HEADER + zlen, NULL, env, HEADER + zlen, sk);
	*out = env;
	*outlen = HEADER + zlen + SIGBYTES;
	env = NULL;
out:
	if (text) {
		sodium_memzero(text, n); /* values in clear */
		free(text);
	}
	sync_batch_env_free(env, envcap);
	return rc;
}

void sync_batch_env_free(uint8_t *env, size_t len)
{
	if (!env)
		return;
	sodium_memzero(env, len);
	free(env);
}

/* Check the envelope's shape; *plen = payload length. */
static int envelope(const uint8_t *in, size_t len, size_t *plen,
		    struct err *e)
{
	if (!in || len < HEADER + SIGBYTES || memcmp(in, MAGIC, 4))
		return err_set(e, ERR_INVALID, "not a presidio batch");
	if (in[4] < SYNC_BATCH_ROWS || in[4] > SYNC_BATCH_FORMAT_MAX)
		return err_set(e, ERR_INVALID, "batch format %u not supported",
			       (unsigned)in[4]);
	*plen = get_u32(in + 5 + ID_BYTES);
	if (*plen != len - HEADER - SIGBYTES)
		return err_set(e, ERR_INVALID, "batch length does not match");
	return 0;
}

int sync_batch_format(const uint8_t *in, size_t len)
{
	size_t plen;

	return envelope(in, len, &plen, NULL) ? 0 : in[4];
}

int sync_batch_sender(const uint8_t *in, size_t len, struct id *sender,
		      struct err *e)
{
	size_t plen;
	int rc = envelope(in, len, &plen, e);

	if (!rc)
		memcpy(sender->b, in + 5, ID_BYTES);
	return rc;
}

void sync_parsed_free(struct sync_parsed *ps, size_t n)
{
	for (size_t i = 0; ps && i < n; i++) {
		free(ps[i].prev);
		json_decref(ps[i].fields);
	}
	free(ps);
}

static int json_u64(const json_t *v, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	json_int_t i;

	if (!json_is_integer(v))
		return -1;
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return -1;
	*out = (uint64_t)i;
	return 0;
}

static int parse_change(size_t k, const json_t *row, const struct id *nodes,
			size_t nnodes, const json_t *ops, int newer,
			struct sync_parsed *p, struct err *e)
{
	uint64_t oseq, kind, node, op, hlc;
	const json_t *prev;
	size_t i;
	json_t *pv;
	int rc;

	if (!json_is_array(row) || json_array_size(row) != CHANGE_ITEMS)
		return err_set(e, ERR_INVALID, "change %zu: malformed", k);
	if (json_u64(json_array_get(row, 0), 1, INT64_MAX, &oseq) ||
	    !json_is_string(json_array_get(row, 1)) ||
	    strlen(json_string_value(json_array_get(row, 1))) != 2 * ID_BYTES ||
	    id_parse(&p->in.record, json_string_value(json_array_get(row, 1))) ||
	    !schema_name_ok(json_string_value(json_array_get(row, 2))) ||
	    (!newer &&
	     !schema_collection(json_string_value(json_array_get(row, 2)))) ||
	    json_u64(json_array_get(row, 3), STORE_CHANGE_CREATE,
		     STORE_CHANGE_RESOLVE, &kind) ||
	    json_u64(json_array_get(row, 4), 0, nnodes ? nnodes - 1 : 0,
		     &node) || !nnodes ||
	    json_u64(json_array_get(row, 5), 0,
		     json_array_size(ops) ? json_array_size(ops) - 1 : 0,
		     &op) || !json_array_size(ops) ||
	    json_u64(json_array_get(row, 6), 1, INT64_MAX, &hlc) ||
	    !json_is_object(json_array_get(row, 7)) ||
	    !json_is_array(json_array_get(row, 8)))
		return err_set(e, ERR_INVALID, "change %zu: malformed", k);
	p->in.collection = json_string_value(json_array_get(row, 2));
	/* A collection only a newer version declares: passed over (batch.h);
	 * its values are still bounded as undeclared fields are. */
	if (!schema_collection(p->in.collection)) {
		p->skip = 1;
		return sync_batch_check_opaque(k, json_array_get(row, 7), e);
	}
	rc = sync_batch_check_values(k, schema_collection(p->in.collection),
			  json_array_get(row, 7), kind == STORE_CHANGE_CREATE,
			  newer, e);
	if (rc)
		return rc;
	p->in.kind = (enum store_change_kind)kind;
	p->in.newer_schema = newer;
	p->in.origin = nodes[node];
	p->in.origin_seq = oseq;
	p->in.operator = json_string_value(json_array_get(ops, op));
	p->in.hlc = hlc;
	p->in.fields = json_array_get(row, 7);
	prev = json_array_get(row, 8);
	if (json_array_size(prev) > VERSION_SET_MAX)
		return err_set(e, ERR_INVALID, "change %zu: too many versions",
			       k);
	p->prev = json_array_size(prev)
			  ? calloc(json_array_size(prev), sizeof(*p->prev))
			  : NULL;
	if (json_array_size(prev) && !p->prev)
		return err_set(e, ERR_NOMEM, "out of memory");
	json_array_foreach(prev, i, pv)
	{
		uint64_t field, phlc, pnode;

		if (!json_is_array(pv) || json_array_size(pv) != 3 ||
		    json_u64(json_array_get(pv, 0), 0, UINT16_MAX, &field) ||
		    json_u64(json_array_get(pv, 1), 0, INT64_MAX, &phlc) ||
		    json_u64(json_array_get(pv, 2), 0, nnodes - 1, &pnode))
			return err_set(e, ERR_INVALID,
				       "change %zu: malformed version", k);
		p->prev[i].field = (uint16_t)field;
		p->prev[i].v.hlc = phlc;
		p->prev[i].v.node = nodes[pnode];
	}
	p->in.prev = p->prev;
	p->in.nprev = json_array_size(prev);
	return 0;
}

int sync_batch_open(const uint8_t *in, size_t len, const uint8_t *pk,
		    sync_change_fn fn, void *ctx, struct err *e)
{
	return sync_batch_open_meta(in, len, pk, NULL, fn, ctx, e);
}

/* Format 1's payload (text, tlen bytes): bounded, parsed and checked,
 * as batch_cols_read() reads format 2's. */
static int read_rows(const char *text, size_t tlen, json_t **doc,
		     struct sync_parsed **ps, size_t *nch, struct err *e)
{
	struct id *nodes = NULL;
	const json_t *changes;
	size_t nnodes = 0, values = 0, n = 0;
	struct jscan_limits lim;
	json_error_t je;
	int rc;

	*ps = NULL;
	*nch = 0;
	/* Bounded before a tree is built: see batch.h. */
	sync_batch_text_limits(&lim);
	rc = jscan_check(text, tlen, &lim, "batch", &values, e);
	if (!rc)
		rc = sync_batch_values_fit(text, tlen, values, e);
	if (rc)
		return rc;
	*doc = json_loadb(text, tlen, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(*doc)) {
		rc = err_set(e, ERR_INVALID, "batch is not a JSON object");
		goto out;
	}
	rc = sync_batch_members_known(*doc, e);
	if (!rc)
		rc = sync_batch_meta_known(json_object_get(*doc, "meta"), e);
	if (rc)
		goto out;
	if (json_object_get(*doc, "meta") &&
	    !json_is_object(json_object_get(*doc, "meta"))) {
		rc = err_set(e, ERR_INVALID, "batch: bad meta");
		goto out;
	}
	if (!json_is_integer(json_object_get(*doc, "v")) ||
	    json_integer_value(json_object_get(*doc, "v")) != SYNC_BATCH_ROWS) {
		rc = err_set(e, ERR_INVALID, "batch payload version unknown");
		goto out;
	}
	rc = sync_batch_lists(*doc, &nodes, &nnodes, e);
	if (rc)
		goto out;
	changes = json_object_get(*doc, "changes");
	if (!json_is_array(changes) ||
	    json_array_size(changes) > SYNC_BATCH_MAX_CHANGES) {
		rc = err_set(e, ERR_INVALID, "batch: bad change list");
		goto out;
	}
	*ps = calloc(json_array_size(changes) + 1, sizeof(**ps));
	if (!*ps) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (; n < json_array_size(changes); n++) {
		rc = parse_change(n, json_array_get(changes, n), nodes, nnodes,
				  json_object_get(*doc, "ops"),
				  sync_batch_newer(json_object_get(*doc,
								   "meta")),
				  &(*ps)[n], e);
		if (rc) {
			n++; /* its prev may be allocated */
			goto out;
		}
	}
out:
	free(nodes);
	if (rc) {
		sync_parsed_free(*ps, n);
		*ps = NULL;
		json_decref(*doc);
		*doc = NULL;
		return rc;
	}
	*nch = n;
	return 0;
}

/* sync_batch_open_passed(), and with pushed 1 sync_batch_open_pushed(). */
static int open_batch(const uint8_t *in, size_t len, const uint8_t *pk,
		      json_t **meta, size_t *passed, sync_change_fn fn,
		      void *ctx, int pushed, struct err *e)
{
	struct sync_parsed *ps = NULL;
	json_t *doc = NULL;
	const json_t *m;
	char *text = NULL;
	size_t plen = 0, tlen = 0, nch = 0;
	int rc;

	if (passed)
		*passed = 0;
	if (meta)
		*meta = NULL;
	rc = envelope(in, len, &plen, e);
	if (rc)
		return rc;
	/* The signature first: nothing of an unauthenticated batch is
	 * inflated or parsed. */
	if (crypto_sign_verify_detached(in + HEADER + plen, in,
					HEADER + plen, pk) != 0)
		return err_set(e, ERR_AUTH, "batch signature does not verify");
	rc = zflate_inflate(in + HEADER, plen, SYNC_BATCH_MAX_INFLATED, "batch",
			    &text, &tlen, e);
	if (rc)
		goto out;
	/* Everything is checked before anything is handed on. */
	rc = in[4] == SYNC_BATCH_ROWS
		     ? read_rows(text, tlen, &doc, &ps, &nch, e)
		     : batch_cols_read((const uint8_t *)text, tlen, &doc, &ps,
				       &nch, e);
	if (rc)
		goto out;
	m = json_object_get(doc, "meta");
	/* Only a hub's pull answer may say it is of a newer schema: from a
	 * node it would have the hub pass over changes it acknowledges. */
	if (pushed && json_object_get(m, "schema_version")) {
		rc = err_set(e, ERR_INVALID, "batch: a pushed batch's meta "
			     "carries 'schema_version' (only a hub's pull "
			     "answer may)");
		goto out;
	}
	if (meta) {
		*meta = m ? json_deep_copy(m) : json_object();
		if (!*meta) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; !rc && i < nch; i++)
		rc = ps[i].skip ? 0 : fn(ctx, &ps[i].in);
	for (size_t i = 0; !rc && passed && i < nch; i++)
		*passed += ps[i].skip ? 1 : 0;
	if (rc && meta) {
		json_decref(*meta);
		*meta = NULL;
	}
out:
	sync_parsed_free(ps, nch);
	json_decref(doc);
	if (text) {
		sodium_memzero(text, tlen);
		free(text);
	}
	return rc;
}

int sync_batch_open_passed(const uint8_t *in, size_t len, const uint8_t *pk,
			   json_t **meta, size_t *passed, sync_change_fn fn,
			   void *ctx, struct err *e)
{
	return open_batch(in, len, pk, meta, passed, fn, ctx, 0, e);
}

int sync_batch_open_meta(const uint8_t *in, size_t len, const uint8_t *pk,
			 json_t **meta, sync_change_fn fn, void *ctx,
			 struct err *e)
{
	return open_batch(in, len, pk, meta, NULL, fn, ctx, 0, e);
}

int sync_batch_open_pushed(const uint8_t *in, size_t len, const uint8_t *pk,
			   json_t **meta, sync_change_fn fn, void *ctx,
			   struct err *e)
{
	return open_batch(in, len, pk, meta, NULL, fn, ctx, 1, e);
}
