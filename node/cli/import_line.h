/*
 * import_line.h - the lines of `presidio import` (cmd_import.c): reading
 * one bounded line from a stream, and parsing it into an operation.
 *
 * Apart from the command so that a libFuzzer target
 * (tests/fuzz/fuzz_import.c) can drive both on arbitrary bytes; it
 * depends on common/ and Jansson only, not on the rest of the command
 * line.  A line is read into a buffer sized once: a line longer than the
 * limit is refused after reading at most the limit and two bytes of it,
 * whatever its length on disk.  Messages never quote input.
 */
#ifndef PRESIDIO_IMPORT_LINE_H
#define PRESIDIO_IMPORT_LINE_H

#include <jansson.h>
#include <stdio.h>

#include "common/err.h"
#include "common/id.h"

#define IMPORT_LINE_MAX (1u << 20) /* longest line, end of line excluded */

struct import_reader {
	FILE *f;     /* the stream read, not owned */
	size_t max;  /* longest line accepted */
	char *buf;   /* max + 2 bytes: a line and its "\r\n" */
	size_t len;  /* bytes of the current line, end of line excluded */
};

/* Read f in lines of at most max bytes (0: IMPORT_LINE_MAX).  0 or
 * ERR_NOMEM; released by import_reader_release() (which wipes the
 * buffer: lines hold personal data in clear). */
int import_reader_init(struct import_reader *r, FILE *f, size_t max,
		       struct err *e) ERR_MUST_USE;
void import_reader_release(struct import_reader *r);

/*
 * The next line into r->buf (r->len bytes, end of line "\n" or "\r\n"
 * removed, not NUL-terminated; a last line may lack its "\n").  0 with
 * *got 1 when a line was read, 0 with *got 0 at the end of the stream;
 * ERR_INVALID when the line is longer than r->max (reading stops there),
 * ERR_IO.
 */
int import_read_line(struct import_reader *r, int *got,
		     struct err *e) ERR_MUST_USE;

/* One operation: {"op":"put","collection":C,"id":UUID,"fields":{...}}. */
struct import_op {
	json_t *doc;            /* owned: the parsed line */
	const char *collection; /* in doc */
	struct id id;
	const json_t *fields;   /* in doc */
	json_error_t je;        /* when the line is not JSON */
	int bad_json;           /* 1: that was the error */
};

/*
 * Parse line (len bytes, NUL bytes refused) into op and check its shape:
 * the four members and nothing else, "op" "put", a collection name
 * string, a record id, a fields object (checked against the schema later,
 * by store_put()).  0, or ERR_INVALID naming the member (or, bad_json
 * set, the column of a JSON error; op->je says which), ERR_NOMEM.
 * Release op with import_op_release() either way.
 */
int import_parse_line(const char *line, size_t len, struct import_op *op,
		      struct err *e) ERR_MUST_USE;
void import_op_release(struct import_op *op);

#endif
