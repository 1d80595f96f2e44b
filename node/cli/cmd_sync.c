/*
 * cmd_sync.c - `presidio enroll` and `presidio sync`: a node joining its
 * hub, and exchanging changes with it (sync/sync.h).
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sync/auth.h"
#include "sync/client.h"
#include "sync/sync.h"
#include "sync/sync_loop.h"

#define CLI_SYNC_CACHE_KIB 4096 /* the page cache of a sync's handle */

enum {
	OPT_HUB = CLI_OPT_LOCAL,
	OPT_TOKEN,
	OPT_TOKEN_FD,
	OPT_CA,
	OPT_PIN,
	OPT_WATCH,
	OPT_ROUNDS,
	OPT_RETRIES,
	OPT_RETRY_DELAY,
	OPT_BATCH
};

const char cli_usage_enroll[] =
	"usage: presidio enroll --hub URL (--token T | --token-fd N |\n"
	"                       env PRESIDIO_TOKEN) [--ca FILE | --pin sha256//BASE64]\n"
	"\n"
	"Join the hub at URL (https://host:port) with the one-time token the\n"
	"hub's operator printed ('presidio hub node add').  Makes this node's\n"
	"signing key (sealed like the data key), registers its public key and\n"
	"keeps the hub's.  The hub's certificate is checked against FILE (a\n"
	"PEM CA bundle), or the system's CAs; with --pin alone, the hub is\n"
	"known by its public key (a self-signed hub).  http:// is accepted\n"
	"only for a hub on this machine (behind a TLS proxy).  --token T is\n"
	"wiped from the process list at once but stays in the shell's\n"
	"history: prefer --token-fd N (read from that file descriptor) or\n"
	"PRESIDIO_TOKEN.\n";

const char cli_usage_sync[] =
	"usage: presidio sync [--watch [SECONDS] [--rounds N]] [--batch N]\n"
	"                     [--retries N] [--retry-delay MS]\n"
	"\n"
	"One round with the hub: push this node's changes, then pull the\n"
	"changes of its scope.  A cut connection is retried with backoff;\n"
	"the next round resumes from the last acknowledged batch.\n"
	"\n"
	"  --watch SECONDS  repeat every SECONDS (alone: sync.interval of\n"
	"                   presidio.conf, default 5 minutes), backing off\n"
	"                   while the hub cannot be reached; stop with\n"
	"                   Ctrl-C or SIGTERM\n"
	"  --rounds N       with --watch: stop after N rounds\n"
	"  --batch N        changes per batch at most (default 1000); a\n"
	"                   bad link gets smaller batches by itself\n"
	"  --retries N      retries of one request (default 5)\n"
	"  --retry-delay MS first retry within MS milliseconds, doubling\n"
	"                   (default 500, with jitter)\n"
	"\n"
	"Exit: 0 done; 10 done, but the hub refused some changes (see\n"
	"'presidio refused'); 11 the hub could not be reached; others as for\n"
	"every command.\n";

/* ---- enroll ---- */

/*
 * Copy a secret given on the command line and overwrite it in argv, so
 * other users of the machine listing processes see it for an instant at
 * most (curl does the same with passwords).  Returns the copy.
 */
static const char *take_secret_arg(char *arg, char *copy, size_t n)
{
	snprintf(copy, n, "%s", arg);
	memset(arg, '*', strlen(arg));
	return copy;
}

static int read_token(const char *arg, int fd, char *out, size_t n,
		      struct err *e)
{
	const char *env = getenv("PRESIDIO_TOKEN");
	ssize_t got;
	size_t len = 0;

	if (arg) {
		snprintf(out, n, "%s", arg);
		return *out ? 0 : err_set(e, CLI_ERR_USAGE, "empty token");
	}
	if (fd < 0) {
		if (!env)
			return err_set(e, CLI_ERR_USAGE, "no token: use "
				       "--token-fd N or PRESIDIO_TOKEN");
		snprintf(out, n, "%s", env);
		return 0;
	}
	while (len + 1 < n && (got = read(fd, out + len, n - 1 - len)) > 0)
		len += (size_t)got;
	out[len] = '\0';
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	return len ? 0 : err_set(e, CLI_ERR_USAGE, "empty token");
}

static int enroll(struct cli *c, const char *url, const char *token_arg,
		  int token_fd, const char *ca, const char *pin)
{
	struct sync_options o;
	struct store *s = NULL;
	struct store_remote rem;
	char token[128];
	struct err e;
	int rc;

	err_init(&e);
	sync_options_init(&o);
	o.allow_plain = strncmp(url, "http://", 7) == 0;
	rc = read_token(token_arg, token_fd, token, sizeof(token), &e);
	if (!rc)
		rc = client_global_init(&e);
	if (rc < 0)
		goto out;
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = sync_enroll(s, url, token, ca, pin, &o, &e);
	if (!rc)
		rc = store_remote_get(s, &rem, &e);
	if (!rc)
		printf("enrolled as '%s' (%s, %s) with the hub at %s\n",
		       rem.name, rem.kind, rem.region, rem.url);
out:
	sodium_memzero(token, sizeof(token));
	store_close(s);
	client_global_cleanup();
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_enroll(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hub", required_argument, NULL, OPT_HUB },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "token-fd", required_argument, NULL, OPT_TOKEN_FD },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "pin", required_argument, NULL, OPT_PIN },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *url = NULL, *ca = NULL, *pin = NULL, *token_arg = NULL;
	char token_copy[128];
	uint64_t fd = 0;
	int opt, rc, token_fd = -1;

	cli_opts_begin(c, "enroll", cli_usage_enroll);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_HUB)
			url = optarg;
		else if (opt == OPT_CA)
			ca = optarg;
		else if (opt == OPT_PIN)
			pin = optarg;
		else if (opt == OPT_TOKEN)
			token_arg = take_secret_arg(optarg, token_copy,
						    sizeof(token_copy));
		else if (opt == OPT_TOKEN_FD) {
			if (cli_parse_u64(optarg, 0, 1024, &fd))
				return cli_usage(c, "bad --token-fd");
			token_fd = (int)fd;
		}
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	/* presidio.conf's hub, unless the options name one; a --ca or
	 * --pin given replaces both of the configuration's. */
	if (!url)
		url = conf_str(&c->conf, "hub.url");
	if (!ca && !pin) {
		ca = conf_str(&c->conf, "hub.ca");
		pin = conf_str(&c->conf, "hub.pin");
	}
	if (!url)
		return cli_usage(c, "--hub URL is required (or hub.url in "
				 "presidio.conf)");
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return cli_usage(c, "the hub URL must start with https://");
	if (ca && pin)
		return cli_usage(c, "give --ca or --pin, not both");
	if (token_arg && token_fd >= 0)
		return cli_usage(c, "give --token or --token-fd, not both");
	rc = enroll(c, url, token_arg, token_fd, ca, pin);
	sodium_memzero(token_copy, sizeof(token_copy));
	return rc;
}

/* ---- sync ---- */

/* Set by SIGINT/SIGTERM during --watch; read by watch_wait(). */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* What the rounds of one run share with the hooks below. */
struct watch_ctx {
	struct cli_progress prog; /* the round's progress line */
	int tty;                  /* stderr is a terminal */
	int code;                 /* exit code of the last round */
};

static void progress(void *ctx, const char *phase, const struct sync_stats *st)
{
	struct cli_progress *p = ctx;
	double secs = (double)(sync_now_ms() - st->started_ms) / 1000.0;
	uint64_t n = st->pushed + st->pulled;

	cli_progress_draw(p,
			  "%s: %" PRIu64 " up / %" PRIu64 " down batches, "
			  "%" PRIu64 " changes, %.1f MB, %.0f changes/s",
			  phase, st->batches_up, st->batches_down, n,
			  (double)(st->bytes_up + st->bytes_down) / 1e6,
			  secs > 0 ? (double)n / secs : 0.0);
}

/*
 * How far this computer's clock is from the hub's, when the hub had to
 * correct it this round or it is a minute off or more: the operator
 * should set it right (request times are corrected, record times not).
 * Printed whatever the round's outcome.
 */
static void clock_note(const struct sync_stats *st)
{
	char text[128];
	int64_t off = st->clock_offset_ms;

	if (!st->clock_known ||
	    (!st->clock_corrected && off < SYNC_CLOCK_NOTE_MS &&
	     off > -SYNC_CLOCK_NOTE_MS))
		return;
	sync_clock_describe(off, text, sizeof(text));
	printf("sync: %s%s\n", text,
	       st->clock_corrected ? " (the hub's time was used for this sync;"
				     " set this computer's clock right)"
				   : "");
	fflush(stdout);
}

/*
 * After a round: its summary, or its error when offline (once while the
 * hub stays unreachable).  Any other error is printed by the caller when
 * the loop returns it.  Keeps the round's exit code.
 */
static void watch_round(void *ctx, const struct sync_loop_round *r)
{
	struct watch_ctx *w = ctx;
	const struct sync_stats *st = r->st;

	cli_progress_end(&w->prog);
	cli_progress_init(&w->prog, w->tty);
	clock_note(st);
	if (r->rc == ERR_IO) {
		if (!r->retrying && log_to_journal())
			log_warn("sync.offline", "%s", r->e->msg);
		else if (!r->retrying)
			cli_error("%s", r->e->msg);
		w->code = CLI_EXIT_OFFLINE;
		return;
	}
	if (r->rc < 0) {
		log_error("sync.failed", "%s", r->e->msg);
		return;
	}
	if (st->rebootstrapped)
		cli_report(stdout, "sync", LOG_WARN, "sync.rebuilt",
			   "the hub purged deletions this node had not seen: "
			   "its copy was rebuilt from the hub");
	cli_report(stdout, "sync",
		   st->refused || st->rejected ? LOG_WARN : LOG_INFO,
		   "sync.round", "pushed %" PRIu64 ", pulled %" PRIu64
		   ", purged %" PRIu64 ", refused %" PRIu64 ", fields refused %"
		   PRIu64 " (%" PRIu64 " bytes up, %" PRIu64 " down) in %.1f s",
		   st->pushed, st->pulled, st->purged, st->refused,
		   st->rejected, st->bytes_up, st->bytes_down,
		   (double)(sync_now_ms() - st->started_ms) / 1000.0);
	w->code = st->refused || st->rejected ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
}

/* Sleep up to ms, in steps so that Ctrl-C is heard within 200 ms;
 * non-zero once a stop was asked. */
static int watch_wait(void *ctx, uint64_t ms)
{
	(void)ctx;
	while (ms && !stop_requested) {
		uint64_t step = ms < 200 ? ms : 200;
		struct timespec ts = { (time_t)(step / 1000),
				       (long)(step % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		ms -= step;
	}
	return stop_requested != 0;
}

static int sync_cmd(struct cli *c, struct sync_loop_opts *lo)
{
	struct sync_loop_hooks h;
	struct watch_ctx w;
	struct store *s = NULL;
	struct err e;
	int rc;

	err_init(&e);
	memset(&h, 0, sizeof(h));
	memset(&w, 0, sizeof(w));
	w.tty = c->tty_err;
	w.code = CLI_EXIT_OK;
	cli_progress_init(&w.prog, w.tty);
	lo->sync.progress = progress;
	lo->sync.progress_ctx = &w.prog;
	h.wait = watch_wait;
	h.round = watch_round;
	h.ctx = &w;
	rc = client_global_init(&e);
	if (!rc)
		rc = cli_open_unlocked(c, &s, &e);
	/* A sync reads each page of the store about once (a pull applies
	 * records in the order of their random ids): the 140,000-record
	 * pull ran as fast with 2 MiB of cache as with 8, which took 7 MB
	 * more of the node's memory. */
	if (!rc)
		rc = store_set_cache_kib(s, CLI_SYNC_CACHE_KIB, &e);
	if (rc < 0)
		goto out;
	if (lo->interval_ms) {
		/* --watch: Ctrl-C ends the loop between rounds. */
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	rc = sync_loop_run(s, lo, &h, &e);
out:
	store_close(s);
	client_global_cleanup();
	return rc < 0 ? cli_fail(&e) : w.code;
}

/* --watch SECONDS, --watch=SECONDS, or --watch alone: presidio.conf's
 * sync.interval (a service's unit runs `sync --watch`).  sync takes no
 * operands, so a number after --watch can only be its argument. */
static int watch_seconds(struct cli *c, int argc, char **argv,
			 uint64_t *watch)
{
	const char *arg = optarg;

	if (!arg && optind < argc && argv[optind][0] >= '0' &&
	    argv[optind][0] <= '9')
		arg = argv[optind++];
	if (!arg) {
		*watch = conf_num(&c->conf, "sync.interval");
		return 0;
	}
	return cli_parse_u64(arg, 1, 86400, watch);
}

int cmd_sync(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "watch", optional_argument, NULL, OPT_WATCH },
		{ "rounds", required_argument, NULL, OPT_ROUNDS },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "retry-delay", required_argument, NULL, OPT_RETRY_DELAY },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct sync_loop_opts lo;
	struct sync_options *o = &lo.sync;
	uint64_t watch = 0, rounds = 0, v = 0;
	int opt;

	sync_loop_opts_init(&lo);
	cli_opts_begin(c, "sync", cli_usage_sync);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_WATCH && watch_seconds(c, argc, argv, &watch))
			return cli_usage(c, "bad --watch seconds");
		if (opt == OPT_ROUNDS &&
		    cli_parse_u64(optarg, 1, UINT32_MAX, &rounds))
			return cli_usage(c, "bad --rounds");
		if (opt == OPT_RETRIES) {
			if (cli_parse_u64(optarg, 0, 100, &v))
				return cli_usage(c, "bad --retries");
			o->retries = (unsigned)v;
		}
		if (opt == OPT_RETRY_DELAY) {
			if (cli_parse_u64(optarg, 1, 600000, &v))
				return cli_usage(c, "bad --retry-delay");
			o->backoff_ms = (unsigned)v;
		}
		if (opt == OPT_BATCH) {
			if (cli_parse_u64(optarg, 1, 5000, &v))
				return cli_usage(c, "bad --batch");
			o->push_limit = o->pull_limit = (size_t)v;
		}
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	if (rounds && !watch)
		return cli_usage(c, "--rounds needs --watch");
	o->allow_plain = 1; /* the client allows it for loopback only, and
			      only when enrolled with an http:// URL */
	/* Without --watch: one round, no pause after it. */
	lo.interval_ms = watch * 1000;
	lo.rounds = watch ? rounds : 1;
	return sync_cmd(c, &lo);
}
