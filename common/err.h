/*
 * err.h - the one error convention of Presidio.
 *
 * Every function that can fail returns 0 on success or a negative ERR_* code,
 * and, when the caller passed a non-NULL struct err, leaves a human-readable
 * message there.  Messages name records, collections, fields and operators,
 * never field values, passphrases or keys: they end up in logs and on
 * terminals.  Library code fills a struct err and returns; only the command
 * line prints it.  Errors from SQLite, libsodium, Jansson, libcurl and
 * libmicrohttpd are translated into these codes at the module boundary.
 *
 * No function returns a positive "stop" or "done" value next to these
 * codes: a second outcome that is not a failure goes in an out parameter
 * (int *found, int *answered).  A function has one cleanup label (out:),
 * reached on success and failure alike (tests/check-style.sh checks it).
 *
 * Walks (store_list(), store_log(), registry_peer_list(), ...) call a
 * callback per item.  The callback returns 0 to go on, a negative ERR_*
 * to fail (the walk ends and returns it), or ERR_STOP to end the walk
 * early without failing: the walker turns ERR_STOP back into 0
 * (err_walk_end()) before it returns, so ERR_STOP never leaves a walk.
 * A caller that must know whether its walk stopped early notes it in its
 * own context before returning ERR_STOP.
 */
#ifndef PRESIDIO_ERR_H
#define PRESIDIO_ERR_H

#include <stddef.h>

enum err_code {
	ERR_OK = 0,
	ERR_FAIL = -1,     /* internal or unexpected failure */
	ERR_INVALID = -2,  /* bad input: JSON, arguments, schema violation */
	ERR_NOTFOUND = -3, /* no such record, operator, collection */
	ERR_AUTH = -4,     /* wrong passphrase or key file, bad signature */
	ERR_CORRUPT = -5,  /* stored data failed authentication or decoding */
	ERR_IO = -6,       /* file system or database I/O */
	ERR_BUSY = -7,     /* database locked longer than the busy timeout */
	ERR_NOMEM = -8,    /* allocation failed */
	ERR_EXISTS = -9,   /* already exists (node directory, operator) */
	ERR_CONFLICT = -10, /* refused by a rule (skew window, authority) */
	ERR_STOP = -11,     /* not a failure: a walk's callback asks the walk
			       to end here (see above); never returned by
			       the walker */
	ERR_DENIED = -12,   /* not allowed to the operator's role
			       (schema/access.h) */
	ERR_GONE = -13      /* the record's person was erased: nothing of
			       it is written again (node/store_erase.h) */
};

#define ERR_MSG_MAX 512

/* An error report.  Lives on the caller's stack; err_init() clears it. */
struct err {
	int code;              /* last ERR_* set, 0 if none */
	char msg[ERR_MSG_MAX]; /* message, NUL-terminated, "" if none */
};

#if defined(__GNUC__)
#define ERR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ERR_MUST_USE __attribute__((warn_unused_result))
#else
#define ERR_PRINTF(f, a)
#define ERR_MUST_USE
#endif

/* Clear an error report.  Cannot fail. */
void err_init(struct err *e);

/*
 * Record code and a printf-style message in e (which may be NULL) and return
 * code, so that failures read "return err_set(e, ERR_INVALID, ...)".
 */
int err_set(struct err *e, int code, const char *fmt, ...) ERR_PRINTF(3, 4);

/*
 * Prepend context to the message already in e ("importing line 12: ...").
 * Returns e->code (or ERR_FAIL when e is NULL or holds no code).
 */
int err_prefix(struct err *e, const char *fmt, ...) ERR_PRINTF(2, 3);

/* What a walker returns once its callbacks are done: rc, but 0 for
 * ERR_STOP (a callback ended the walk early, as it may). */
static inline int err_walk_end(int rc)
{
	return rc == ERR_STOP ? 0 : rc;
}

/* Short stable name of a code ("invalid", "auth", ...), for JSON bodies. */
const char *err_code_name(int code);

#endif
