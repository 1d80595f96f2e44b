/*
 * conf.h - settings from four places, in one order: a built-in default,
 * the configuration file, the environment, the command line.
 *
 * The caller declares its keys in a table (struct conf_key: name, type,
 * bounds, default, one line of help) and reads them in that order; a
 * later place overrides an earlier one, and every value remembers where
 * it came from, so an operator can be told why a node listens where it
 * does (`presidio config`).  The file holds lines `key = value`; `#`
 * starts a comment line; a blank line is nothing.  A key the table does
 * not declare, a value of the wrong type or out of bounds, a key set
 * twice in the file and a line without `=` are refused with the file's
 * name and the line's number, before anything runs: a typo in the
 * configuration of a service must stop it at start, not be ignored and
 * leave the node listening somewhere unexpected.
 *
 * The environment variable of a key is the prefix given to conf_init()
 * followed by the key in capitals with '.' as '_' ("ui.port" ->
 * PRESIDIO_UI_PORT); an empty variable counts as unset.
 *
 * struct conf owns copies of every value; conf_release() frees them.
 * Nothing here is secret: the table must not declare keys for
 * passphrases or tokens (a token_file key names a file instead).
 */
#ifndef PRESIDIO_CONF_H
#define PRESIDIO_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum conf_type {
	CONF_TEXT,     /* printable text */
	CONF_PATH,     /* a file or directory name */
	CONF_URL,      /* http:// or https:// */
	CONF_ADDR,     /* an IPv4 or IPv6 address to bind */
	CONF_UINT,     /* a whole number within [min, max] */
	CONF_DURATION, /* seconds, or N with s, m, h or d; within [min, max] */
	CONF_CHOICE,   /* one of the words of choices, '|'-separated */
	CONF_DATE      /* a real date, YYYY-MM-DD (common/date.h) */
};

/* One key.  Tables are static and outlive every struct conf using them. */
struct conf_key {
	const char *name;    /* "ui.port": lower case, digits, '.', '_' */
	enum conf_type type;
	const char *def;     /* default as it would be written, or NULL */
	uint64_t min, max;   /* CONF_UINT, CONF_DURATION */
	const char *choices; /* CONF_CHOICE: "debug|info|warn|error" */
	const char *help;    /* one line: what it sets */
};

enum conf_source {
	CONF_SRC_UNSET,   /* no default, never set */
	CONF_SRC_DEFAULT, /* the table's default, or conf_default() */
	CONF_SRC_FILE,    /* the configuration file, at line */
	CONF_SRC_ENV,     /* its environment variable */
	CONF_SRC_ARG      /* the command line */
};

struct conf_value {
	char *text;            /* as written (trimmed), or NULL when unset */
	uint64_t num;          /* CONF_UINT, CONF_DURATION (seconds) */
	enum conf_source src;
	unsigned line;         /* CONF_SRC_FILE: its line number */
	const char *origin;    /* CONF_SRC_DEFAULT, _ARG: what set it
				  ("built in", "-c", "--port"); static */
};

struct conf {
	const struct conf_key *keys; /* the caller's table */
	size_t n;
	struct conf_value *v;        /* n values, in the table's order */
	const char *env_prefix;      /* "PRESIDIO_"; static */
	char *file;                  /* the file read, or NULL */
};

#define CONF_PATH_MAX 4096

/* Take the table's defaults.  Returns 0, ERR_NOMEM, or ERR_INVALID when
 * a default does not parse (a bug of the table). */
int conf_init(struct conf *cf, const struct conf_key *keys, size_t n,
	      const char *env_prefix, struct err *e) ERR_MUST_USE;

/* Free every value.  Safe on a zeroed or released struct. */
void conf_release(struct conf *cf);

/* Replace a key's default (one computed at run time, such as a path
 * under $HOME); origin says where it came from.  Only while the key is
 * still at its default or unset. */
int conf_default(struct conf *cf, const char *name, const char *value,
		 const char *origin, struct err *e) ERR_MUST_USE;

/* Read the file at path.  A missing file is ERR_NOTFOUND (the caller
 * decides whether that matters); any bad line ERR_INVALID with
 * "PATH:LINE: ..." in e, and nothing of the file is kept. */
int conf_read_file(struct conf *cf, const char *path,
		   struct err *e) ERR_MUST_USE;

/* Read every key's environment variable.  ERR_INVALID names the
 * variable. */
int conf_read_env(struct conf *cf, struct err *e) ERR_MUST_USE;

/* Set "key=value" from the command line.  ERR_INVALID names the key. */
int conf_set_arg(struct conf *cf, const char *key_value,
		 struct err *e) ERR_MUST_USE;

/* Set one key from a command's own option (origin: "--port"). */
int conf_set(struct conf *cf, const char *name, const char *value,
	     const char *origin, struct err *e) ERR_MUST_USE;

/* The value of a declared key (the name must be in the table: asserted),
 * and its text or number: NULL / 0 when unset. */
const struct conf_value *conf_get(const struct conf *cf, const char *name);
const char *conf_str(const struct conf *cf, const char *name);
uint64_t conf_num(const struct conf *cf, const char *name);

/* Where a value came from, in words: "default", "/etc/x.conf:12",
 * "PRESIDIO_UI_PORT", "-c", "--port"; written to buf. */
const char *conf_source_text(const struct conf *cf, size_t i, char *buf,
			     size_t n);

/* The environment variable of a key, written to buf ("PRESIDIO_UI_PORT"). */
const char *conf_env_name(const struct conf *cf, const char *name, char *buf,
			  size_t n);

#endif
