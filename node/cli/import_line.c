/*
 * import_line.c - bounded lines and their parsing for `presidio import`
 * (import_line.h).
 */
#include "node/cli/import_line.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int import_reader_init(struct import_reader *r, FILE *f, size_t max,
		       struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->max = max ? max : IMPORT_LINE_MAX;
	r->buf = malloc(r->max + 2);
	if (!r->buf)
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

void import_reader_release(struct import_reader *r)
{
	if (r->buf) {
		sodium_memzero(r->buf, r->max + 2);
		free(r->buf);
	}
	memset(r, 0, sizeof(*r));
}

int import_read_line(struct import_reader *r, int *got, struct err *e)
{
	size_t n = 0;
	int c;

	*got = 0;
	/* max + 2 bytes hold the longest line and its "\r\n"; a line that
	 * fills them without ending is too long, and is not read on. */
	for (;;) {
		c = getc_unlocked(r->f);
		if (c == EOF || c == '\n')
			break;
		if (n == r->max + 1)
			return err_set(e, ERR_INVALID,
				       "line longer than %zu bytes", r->max);
		r->buf[n++] = (char)c;
	}
	if (c == EOF && ferror(r->f))
		return err_set(e, ERR_IO, "read failed: %s",
			       strerror(errno ? errno : EIO));
	if (c == EOF && n == 0)
		return 0; /* the end: *got stays 0 */
	if (n > 0 && r->buf[n - 1] == '\r')
		n--;
	if (n > r->max)
		return err_set(e, ERR_INVALID, "line longer than %zu bytes",
			       r->max);
	r->len = n;
	*got = 1;
	return 0;
}

void import_op_release(struct import_op *op)
{
	json_decref(op->doc);
	op->doc = NULL;
	op->fields = NULL;
	op->collection = NULL;
}

/* Check the shape of one operation and point at its parts. */
static int check_shape(struct import_op *op, struct err *e)
{
	const json_t *o = op->doc, *kind, *c, *i;
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return err_set(e, ERR_INVALID, "not a JSON object");
	json_object_foreach((json_t *)o, key, v)
		if (strcmp(key, "op") && strcmp(key, "collection") &&
		    strcmp(key, "id") && strcmp(key, "fields"))
			return err_set(e, ERR_INVALID,
				       "unexpected member (allowed: op, "
				       "collection, id, fields)");
	kind = json_object_get(o, "op");
	c = json_object_get(o, "collection");
	i = json_object_get(o, "id");
	op->fields = json_object_get(o, "fields");
	if (!json_is_string(kind))
		return err_set(e, ERR_INVALID,
			       "\"op\" missing or not a string");
	if (strcmp(json_string_value(kind), "put"))
		return err_set(e, ERR_INVALID, "unknown op (only \"put\")");
	if (!json_is_string(c))
		return err_set(e, ERR_INVALID,
			       "\"collection\" missing or not a string");
	if (!json_is_string(i) || id_parse(&op->id, json_string_value(i)) < 0)
		return err_set(e, ERR_INVALID,
			       "\"id\" missing or not a record id");
	if (!json_is_object(op->fields))
		return err_set(e, ERR_INVALID,
			       "\"fields\" missing or not an object");
	op->collection = json_string_value(c);
	return 0;
}

int import_parse_line(const char *line, size_t len, struct import_op *op,
		      struct err *e)
{
	memset(op, 0, sizeof(*op));
	op->doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, &op->je);
	if (!op->doc) {
		op->bad_json = 1;
		return err_set(e, json_error_code(&op->je) ==
					  json_error_out_of_memory
				      ? ERR_NOMEM
				      : ERR_INVALID,
			       "invalid JSON at column %d", op->je.column);
	}
	return check_shape(op, e);
}
