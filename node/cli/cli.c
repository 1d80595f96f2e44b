/*
 * cli.c - helpers the commands share: exit codes and error lines, option
 * and number parsing, the open-and-unlock sequence, JSON output and the
 * terminal progress line.  See cli.h.
 */
#include "node/cli/cli.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "registry/registry.h"
#include "view/view_record.h"

int cli_port_file(const char *path, uint16_t port, struct err *e)
{
	char tmp[4200];
	FILE *f;

	int ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return err_set(e, ERR_IO, "cannot write the port file");
	ok = fprintf(f, "%u\n", (unsigned)port) >= 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0)
		return err_set(e, ERR_IO, "cannot write the port file");
	return 0;
}

int cli_exit_code(int err_code)
{
	switch (err_code) {
	case 0: return CLI_EXIT_OK;
	case CLI_ERR_USAGE: return CLI_EXIT_USAGE;
	case ERR_INVALID: return CLI_EXIT_INVALID;
	case ERR_NOTFOUND: return CLI_EXIT_NOTFOUND;
	case ERR_AUTH: return CLI_EXIT_AUTH;
	case ERR_CORRUPT: return CLI_EXIT_CORRUPT;
	case ERR_BUSY: return CLI_EXIT_BUSY;
	case ERR_EXISTS: return CLI_EXIT_EXISTS;
	case ERR_CONFLICT:
	case ERR_GONE: return CLI_EXIT_REFUSED;
	case ERR_DENIED: return CLI_EXIT_DENIED;
	default: return CLI_EXIT_FAIL; /* FAIL, IO, NOMEM, unknown */
	}
}

void cli_error(const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	/* In the journal, at the priority of an error. */
	fprintf(stderr, "%spresidio: error: %s\n", log_to_journal() ? "<3>" : "",
		msg);
}

void cli_report(FILE *out, const char *prefix, enum log_level level,
		const char *event, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!log_to_journal()) {
		fflush(stdout);
		fprintf(out, "%s: %s\n", prefix, msg);
		fflush(out);
	}
	log_write(level, event, "%s", msg);
}

int cli_fail(const struct err *e)
{
	int code = e->code ? e->code : ERR_FAIL;

	if (e->msg[0])
		cli_error("%s", e->msg);
	else
		cli_error("%s", err_code_name(code));
	return cli_exit_code(code);
}

int cli_usage(const struct cli *c, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c && c->cmd_name)
		cli_error("%s (see 'presidio %s --help')", msg, c->cmd_name);
	else
		cli_error("%s (see 'presidio help')", msg);
	return CLI_EXIT_USAGE;
}

/* ---- options ---- */

void cli_opts_begin(struct cli *c, const char *name, const char *usage)
{
	c->cmd_name = name;
	c->cmd_usage = usage;
	optind = 0; /* glibc: full re-initialisation */
	opterr = 0;
}

/* The option word as typed, without any "=value" (which could be a
 * secret typed by mistake). */
static void opt_word(char *out, size_t cap, const char *arg)
{
	size_t n = strcspn(arg, "=");

	if (n >= cap)
		n = cap - 1;
	memcpy(out, arg, n);
	out[n] = '\0';
}

static int bad_option(const struct cli *c, int argc, char **argv, int what)
{
	char word[64];

	if (optopt > 0 && optopt < 256)
		snprintf(word, sizeof(word), "-%c", optopt);
	else if (optind > 0 && optind <= argc)
		opt_word(word, sizeof(word), argv[optind - 1]);
	else
		snprintf(word, sizeof(word), "?");
	if (what == ':')
		cli_usage(c, "option '%s' needs a value", word);
	else
		cli_usage(c, "unknown option '%s'", word);
	return CLI_NEXT_ERROR;
}

static int parse_fd(const struct cli *c, const char *arg, const char *name,
		    int *out)
{
	uint64_t v;

	if (cli_parse_u64(arg, 0, 1024 * 1024, &v) < 0) {
		cli_usage(c, "%s wants a file descriptor number", name);
		return CLI_NEXT_ERROR;
	}
	*out = (int)v;
	return 0;
}

int cli_next_opt(struct cli *c, int argc, char **argv, const char *shortopts,
		 const struct option *longopts)
{
	char spec[64];
	int opt;

	snprintf(spec, sizeof(spec), ":%s", shortopts);
	for (;;) {
		opt = getopt_long(argc, argv, spec, longopts, NULL);
		switch (opt) {
		case -1:
			return CLI_NEXT_END;
		case 'h':
			fputs(c->cmd_usage, stdout);
			return CLI_NEXT_HELP;
		case ':':
		case '?':
			return bad_option(c, argc, argv, opt);
		case 'u':
			c->operator = optarg;
			break;
		case CLI_OPT_KEY_FILE:
			c->key_file = optarg;
			break;
		case CLI_OPT_PASS_FD:
			if (parse_fd(c, optarg, "--passphrase-fd",
				     &c->pass_fd) < 0)
				return CLI_NEXT_ERROR;
			break;
		case CLI_OPT_NEW_PASS_FD:
			if (parse_fd(c, optarg, "--new-passphrase-fd",
				     &c->new_pass_fd) < 0)
				return CLI_NEXT_ERROR;
			break;
		default:
			return opt;
		}
	}
}

int cli_opts_exit(int next)
{
	return next == CLI_NEXT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

int cli_args(const struct cli *c, int argc, size_t min, size_t max)
{
	size_t n = optind < argc ? (size_t)(argc - optind) : 0;

	if (n < min) {
		cli_usage(c, "missing argument");
		return -1;
	}
	if (n > max) {
		cli_usage(c, "too many arguments");
		return -1;
	}
	return 0;
}

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end = NULL;

	if (!s || *s < '0' || *s > '9')
		return -1; /* empty, sign or space */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || !end || *end != '\0')
		return -1;
	if (v < min || v > max)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int cli_parse_id(const struct cli *c, const char *s, struct id *out)
{
	if (id_parse(out, s) < 0) {
		cli_usage(c, "'%.40s' is not a record id", s);
		return -1;
	}
	return 0;
}

/* ---- opening the node ---- */

const char *cli_operator(const struct cli *c)
{
	if (c->operator)
		return c->operator;
	return c->conf.v ? conf_str(&c->conf, "operator") : NULL;
}

int cli_dir_owner_check(const struct cli *c, struct err *e)
{
	struct passwd *pw;
	struct stat st;

	if (geteuid() != 0 || stat(c->dir, &st) < 0 || st.st_uid == 0)
		return 0;
	pw = getpwuid(st.st_uid);
	return err_set(e, CLI_ERR_USAGE, "%s belongs to the user %s: run "
		       "presidio as that user (sudo -u %s presidio ...), or "
		       "the files root makes there would lock its services "
		       "out", c->dir, pw ? pw->pw_name : "?",
		       pw ? pw->pw_name : "USER");
}

int cli_open(struct cli *c, struct store **out, struct err *e)
{
	char path[4200];
	struct store *s = NULL;
	struct err le;
	int rc;

	*out = NULL;
	rc = cli_dir_owner_check(c, e);
	if (rc == 0)
		rc = store_open(&s, c->dir, e);
	if (rc < 0)
		goto out;
	/* A hub's record writes keep its registry's scope index. */
	if (store_role(s) == STORE_ROLE_HUB)
		registry_attach(s);
	err_init(&le);
	snprintf(path, sizeof(path), "%s/%s", c->dir, STORE_LOG_FILE);
	if (log_open(path, &le) < 0)
		err_init(&le); /* the node works without its log */
	*out = s;
	s = NULL;
out:
	store_close(s);
	return rc;
}

/* Slots seen when no operator was named: the name of the first and how
 * many there are. */
struct slots {
	char first[KEYSLOT_OPERATOR_MAX];
	size_t n;
};

static int count_slot(void *ctx, const char *operator,
		      enum keyslot_kind kind, const char *role)
{
	struct slots *sl = ctx;

	(void)kind;
	(void)role;
	if (sl->n++ == 0)
		snprintf(sl->first, sizeof(sl->first), "%s", operator);
	return 0;
}

int cli_unlock(struct cli *c, struct store *s, const char *key_file,
	       struct err *e)
{
	struct cli_secret sec;
	struct store_secret ss = { 0 };
	struct slots sl = { "", 0 };
	const char *op = cli_operator(c);
	int rc = 0;

	cli_secret_init(&sec);
	if (!op && store_operator_list(s, count_slot, &sl, NULL) == 0) {
		if (sl.n > 1)
			rc = err_set(e, CLI_ERR_USAGE,
				     "this node has several operators: give "
				     "-u NAME or set PRESIDIO_OPERATOR");
		op = sl.n == 1 ? sl.first : NULL;
	}
	if (rc < 0)
		goto out;
	rc = cli_secret_unlock(c, op, key_file, &sec, e);
	if (rc < 0)
		goto out;
	ss.operator = cli_operator(c);
	ss.kind = sec.kind;
	ss.secret = sec.buf;
	ss.len = sec.len;
	rc = store_unlock(s, &ss, e);
	if (rc == ERR_AUTH)
		log_warn("unlock.refused", "operator %s", op ? op : "-");
	if (rc < 0)
		goto out;
	c->unlocked = sec.kind;
out:
	cli_secret_release(&sec);
	return rc;
}

int cli_open_unlocked(struct cli *c, struct store **out, struct err *e)
{
	struct store *s = NULL;
	int rc;

	*out = NULL;
	rc = cli_open(c, &s, e);
	if (rc < 0)
		goto out;
	rc = cli_unlock(c, s, c->key_file, e);
	/* A hub's log is indexed by who may see it from its first write: a
	 * new hub's first command marks its empty index complete, an
	 * upgraded hub's builds it (registry/registry.h). */
	if (rc >= 0 && store_role(s) == STORE_ROLE_HUB)
		rc = registry_scope_key_sync(s, e);
	if (rc < 0)
		goto out;
	*out = s;
	s = NULL;
out:
	store_close(s);
	return rc;
}

/* ---- input ---- */

int cli_read_input(char **buf, size_t *len, struct err *e)
{
	size_t n = 0;
	ssize_t r;

	*len = 0;
	*buf = malloc(CLI_INPUT_MAX + 1);
	if (!*buf)
		return err_set(e, ERR_NOMEM, "out of memory");
	while (n <= CLI_INPUT_MAX) {
		r = read(STDIN_FILENO, *buf + n, CLI_INPUT_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set(e, ERR_IO, "cannot read standard "
				       "input: %s", strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	if (n > CLI_INPUT_MAX)
		return err_set(e, ERR_INVALID, "input larger than 1 MiB");
	return 0;
}

void cli_input_free(char *buf)
{
	if (!buf)
		return;
	sodium_memzero(buf, CLI_INPUT_MAX + 1);
	free(buf);
}

/* ---- output ---- */

int cli_print_json(const json_t *j, size_t flags, struct err *e)
{
	if (json_dumpf(j, stdout, flags | JSON_ENCODE_ANY) < 0 ||
	    putchar('\n') == EOF)
		return err_set(e, ERR_IO, "cannot write to standard output");
	return 0;
}

const char *cli_field_name(const struct schema_collection *coll, uint16_t f,
			   char buf[16])
{
	return view_field_name(coll, f, buf);
}

const char *cli_json_error(const json_error_t *je)
{
	switch (json_error_code(je)) {
	case json_error_out_of_memory: return "out of memory";
	case json_error_stack_overflow: return "nested too deeply";
	case json_error_invalid_utf8: return "invalid UTF-8";
	case json_error_premature_end_of_input:
		return "unexpected end of input";
	case json_error_end_of_input_expected:
		return "text after the end of the document";
	case json_error_invalid_syntax: return "syntax error";
	case json_error_invalid_format: return "invalid format";
	case json_error_null_character: return "NUL character in input";
	case json_error_null_byte_in_key: return "NUL byte in an object key";
	case json_error_duplicate_key: return "duplicate object key";
	case json_error_numeric_overflow: return "number out of range";
	default: return "invalid JSON";
	}
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *p, int on)
{
	p->on = on;
	p->last = 0;
	p->drawn = 0;
}

void cli_progress_draw(struct cli_progress *p, const char *fmt, ...)
{
	char line[128];
	double now;
	va_list ap;

	if (!p->on)
		return;
	now = cli_now();
	if (p->drawn && now - p->last < 0.25)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->last = now;
	p->drawn = 1;
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->on && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = 0;
}
