/*
 * jscan.h - bounds on JSON text, checked before it is parsed.
 *
 * Jansson's json_loadb() builds the whole tree before the caller can look
 * at it: a few megabytes of "0," become millions of values and a
 * gigabyte of memory, and only then can the caller refuse them.  Inflated
 * bytes are not a bound on that: zeros compress a thousandfold.
 * jscan_check() walks the text once, allocating nothing, and refuses it
 * as soon as it holds more values, deeper nesting, a longer string or
 * number, or a larger element of a chosen array than the caller allows;
 * only text that passes is handed to json_loadb() (jscan_load()).
 *
 * It counts, it does not validate: json_loadb() still checks the
 * grammar.  The counts are conservative on any input, valid or not:
 * every string (object keys too), number, literal, array and object
 * counts as one value, so a text that passes cannot make json_loadb()
 * allocate more than its bounds, whatever it holds.
 */
#ifndef PRESIDIO_JSCAN_H
#define PRESIDIO_JSCAN_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"

#define JSCAN_DEPTH_MAX 64 /* nesting any caller may allow, at most */

struct jscan_limits {
	size_t max_values; /* values in the whole text (keys count) */
	size_t max_depth;  /* arrays and objects open at once; at most
			      JSCAN_DEPTH_MAX */
	size_t max_string; /* bytes of one string as written (escapes and
			      quotes included) */
	size_t max_number; /* bytes of one number or literal */
	/*
	 * Each element of an array opened at depth elem_depth (the top
	 * value opens depth 1: the rows of {"changes":[row,...]} are the
	 * elements of the array at depth 2) holds at most elem_values
	 * values and elem_bytes bytes of text.  elem_depth 0: no such
	 * bound.
	 */
	size_t elem_depth;
	size_t elem_values;
	size_t elem_bytes;
};

/*
 * Check text (len bytes, no NUL needed) against lim.  0, or ERR_INVALID
 * with a message naming the bound (what names the text, e.g. "batch"),
 * never quoting the text.  *values (may be NULL) receives the number of
 * values counted (when it passes).
 */
int jscan_check(const char *text, size_t len, const struct jscan_limits *lim,
		const char *what, size_t *values, struct err *e) ERR_MUST_USE;

/* Limits that bound nothing: to count values only. */
extern const struct jscan_limits jscan_unbounded;

/*
 * jscan_check(), then json_loadb(text, len, flags).  The tree (caller
 * decrefs), or NULL with e set: ERR_INVALID over a bound or not JSON
 * (what names the text), ERR_NOMEM.
 */
json_t *jscan_load(const char *text, size_t len, size_t flags,
		   const struct jscan_limits *lim, const char *what,
		   struct err *e);

/*
 * The members of a JSON object written as text (len bytes), in order:
 * fn(ctx, key, klen, value, vlen) for each, key without its quotes and
 * value as written (whitespace around it trimmed).  For text this
 * program wrote (a record's values as sealed): the text is not checked
 * beyond its structure, and a key holding an escape is refused (field
 * names never do).  0; ERR_INVALID when the text is not such an object;
 * or what fn returned, non-zero, which stops the walk.
 */
typedef int (*jscan_member_fn)(void *ctx, const char *key, size_t klen,
			       const char *val, size_t vlen);
int jscan_members(const char *text, size_t len, jscan_member_fn fn,
		  void *ctx) ERR_MUST_USE;

/* The elements of an array written as text (len bytes), in order:
 * fn(ctx, value, vlen) for each, as written (whitespace around it
 * trimmed).  Like jscan_members(), for text whose structure is trusted
 * or was checked (jscan_check()).  0; ERR_INVALID when the text is not
 * such an array; or what fn returned, non-zero, which stops the walk. */
typedef int (*jscan_element_fn)(void *ctx, const char *val, size_t vlen);
int jscan_each_element(const char *text, size_t len, jscan_element_fn fn,
		       void *ctx) ERR_MUST_USE;

/* *n = the number of elements of an array written as text (len bytes):
 * 0, or ERR_INVALID when the text is no such array. */
int jscan_count(const char *text, size_t len, size_t *n) ERR_MUST_USE;

#endif
