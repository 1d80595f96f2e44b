/*
 * cli_conf.c - the program's settings (common/conf.h): the keys of
 * /etc/presidio/presidio.conf, how they are loaded at start, and
 * `presidio config`, which prints each effective value and where it
 * came from.
 *
 * The keys are the defaults of the long-running commands (hub serve,
 * sync --watch, ui, enroll) and of unlocking, so that a service's unit
 * runs a bare `presidio ui` and the sysadmin edits one file.  A command's
 * own flag still wins over everything (`ui --port 9000`), as in git.
 */
#include "node/cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/log.h"

#ifndef CLI_CONF_FILE
#define CLI_CONF_FILE "/etc/presidio/presidio.conf"
#endif

/* The file name systemd hands a service's key file over as
 * (LoadCredential=presidio.key:...), in $CREDENTIALS_DIRECTORY. */
#define CLI_CREDENTIAL "presidio.key"

#define DAY 86400ull

static const struct conf_key cli_keys[] = {
	{ "dir", CONF_PATH, NULL, 0, 0, NULL,
	  "the node directory (its store, sealed)" },
	{ "operator", CONF_TEXT, NULL, 0, 0, NULL,
	  "the operator services unlock as" },
	{ "key_file", CONF_PATH, NULL, 0, 0, NULL,
	  "the key file services unlock with" },
	{ "log.level", CONF_CHOICE, "info", 0, 0, "debug|info|warn|error",
	  "the lowest level logged" },
	{ "hub.url", CONF_URL, NULL, 0, 0, NULL,
	  "the hub's address, for enroll" },
	{ "hub.ca", CONF_PATH, NULL, 0, 0, NULL,
	  "the CA bundle the hub's certificate is checked with, for enroll" },
	{ "hub.pin", CONF_TEXT, NULL, 0, 0, NULL,
	  "the hub's key pin (sha256//BASE64), for enroll" },
	{ "hub.listen", CONF_ADDR, "0.0.0.0", 0, 0, NULL,
	  "hub serve: address to bind" },
	{ "hub.port", CONF_UINT, "8443", 0, 65535, NULL,
	  "hub serve: port" },
	{ "hub.cert", CONF_PATH, NULL, 0, 0, NULL,
	  "hub serve: TLS certificate chain (PEM)" },
	{ "hub.key", CONF_PATH, NULL, 0, 0, NULL,
	  "hub serve: TLS private key (PEM)" },
	{ "hub.threads", CONF_UINT, "4", 1, 64, NULL,
	  "hub serve: requests served at once" },
	{ "hub.purge_every", CONF_DURATION, "1h", 1, 7 * DAY, NULL,
	  "hub serve: time between tombstone purges" },
	{ "hub.horizon", CONF_DURATION, "30d", 0, 3650 * DAY, NULL,
	  "hub serve, hub purge: the purge horizon" },
	{ "hub.max_conns", CONF_UINT, "256", 4, 4000, NULL,
	  "hub serve: connections at once" },
	{ "hub.max_conns_per_ip", CONF_UINT, "32", 1, 4000, NULL,
	  "hub serve: connections at once from one address" },
	{ "ui.listen", CONF_ADDR, "127.0.0.1", 0, 0, NULL,
	  "ui: address to bind (not loopback: TLS needed)" },
	{ "ui.port", CONF_UINT, "8080", 0, 65535, NULL, "ui: port" },
	{ "ui.cert", CONF_PATH, NULL, 0, 0, NULL,
	  "ui: TLS certificate chain (PEM)" },
	{ "ui.key", CONF_PATH, NULL, 0, 0, NULL, "ui: TLS private key (PEM)" },
	{ "ui.idle", CONF_DURATION, "15m", 1, DAY, NULL,
	  "ui: a browser session ends after this long idle" },
	{ "ui.threads", CONF_UINT, "4", 1, 64, NULL,
	  "ui: requests served at once" },
	{ "sync.interval", CONF_DURATION, "5m", 1, DAY, NULL,
	  "sync --watch: time between rounds" },
	{ "retention.years", CONF_UINT, NULL, 1, 99, NULL,
	  "retention: years a closed case is kept (default: the schema's)" },
	{ "retention.programme_end", CONF_DATE, NULL, 0, 0, NULL,
	  "retention: the programme's end; cases closed before it are kept "
	  "the years after it" },
	{ "metrics.token_file", CONF_PATH, NULL, 0, 0, NULL,
	  "a file holding the bearer token /metrics asks of clients not on "
	  "loopback" },
};

#define NKEYS (sizeof(cli_keys) / sizeof(cli_keys[0]))

static enum log_level level_of(const char *s)
{
	if (strcmp(s, "debug") == 0)
		return LOG_DEBUG;
	if (strcmp(s, "warn") == 0)
		return LOG_WARN;
	if (strcmp(s, "error") == 0)
		return LOG_ERROR;
	return LOG_INFO;
}

/* Defaults known only at run time. */
static int run_time_defaults(struct cli *c, struct err *e)
{
	const char *home = getenv("HOME");
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char path[CONF_PATH_MAX];
	int rc = 0, n;

	if (home && *home) {
		n = snprintf(path, sizeof(path), "%s/.presidio", home);
		if (n > 0 && (size_t)n < sizeof(path))
			rc = conf_default(&c->conf, "dir", path, "$HOME", e);
	}
	/* A service unlocks with the key file systemd handed over, which
	 * lives in memory (ramfs) readable by the service alone: never a
	 * key file in the state directory. */
	if (rc == 0 && creds && *creds) {
		n = snprintf(path, sizeof(path), "%s/%s", creds,
			     CLI_CREDENTIAL);
		if (n > 0 && (size_t)n < sizeof(path) &&
		    access(path, R_OK) == 0)
			rc = conf_default(&c->conf, "key_file", path,
					  "systemd credential", e);
	}
	return rc;
}

int cli_conf_load(struct cli *c, const char *file, char *const *args,
		  size_t nargs, struct err *e)
{
	const char *env = getenv("PRESIDIO_CONFIG");
	const char *path = file;
	size_t i;
	int rc;

	if (!path && env && *env)
		path = env;
	rc = conf_init(&c->conf, cli_keys, NKEYS, "PRESIDIO_", e);
	if (rc == 0)
		rc = run_time_defaults(c, e);
	if (rc == 0) {
		rc = conf_read_file(&c->conf, path ? path : CLI_CONF_FILE, e);
		/* The default file may be absent (a node built from
		 * source); one named on purpose may not. */
		if (rc == ERR_NOTFOUND && !path)
			rc = 0;
	}
	if (rc == 0)
		rc = conf_read_env(&c->conf, e);
	for (i = 0; i < nargs && rc == 0; i++)
		rc = conf_set_arg(&c->conf, args[i], e);
	if (rc < 0)
		return rc;
	c->dir = conf_str(&c->conf, "dir");
	if (!c->dir)
		return err_set(e, ERR_INVALID, "no node directory: give --dir "
			       "DIR, set 'dir' in %s or PRESIDIO_DIR (HOME is "
			       "not set)", path ? path : CLI_CONF_FILE);
	log_set_level(level_of(conf_str(&c->conf, "log.level")));
	return 0;
}

int cli_conf_flag(struct cli *c, const char *name, const char *value,
		  const char *flag)
{
	struct err e;

	err_init(&e);
	if (conf_set(&c->conf, name, value, flag, &e) < 0)
		return cli_usage(c, "bad %s: %s", flag, e.msg);
	return 0;
}

int cli_metrics_token(const struct cli *c, char *out, size_t n,
		      struct err *e)
{
	const char *path = conf_str(&c->conf, "metrics.token_file");
	size_t len;
	FILE *f;
	int rc = 0;

	out[0] = '\0';
	if (!path)
		return 0;
	f = fopen(path, "re");
	if (!f)
		return err_set(e, ERR_IO, "metrics.token_file %s: %s", path,
			       strerror(errno));
	if (!fgets(out, (int)n, f))
		out[0] = '\0';
	fclose(f);
	len = strcspn(out, "\r\n");
	out[len] = '\0';
	/* A token shorter than this is guessed; one of other bytes would
	 * not survive an HTTP header. */
	if (len < 16 || len + 1 >= n)
		rc = err_set(e, ERR_INVALID, "metrics.token_file %s: the token "
			     "must be one line of 16 to %zu characters", path,
			     n - 2);
	for (size_t i = 0; i < len && rc == 0; i++)
		if (out[i] <= ' ' || out[i] == 0x7f)
			rc = err_set(e, ERR_INVALID, "metrics.token_file %s: "
				     "the token holds a space or a control "
				     "character", path);
	if (rc)
		sodium_memzero(out, n);
	return rc;
}

/* ---- presidio config ---- */

const char cli_usage_config[] =
	"usage: presidio config [--json]\n"
	"\n"
	"Print every setting's effective value and where it came from: its\n"
	"default, the configuration file and line (/etc/presidio/presidio.conf,\n"
	"or --config FILE, or $PRESIDIO_CONFIG), its environment variable\n"
	"(PRESIDIO_ and the key in capitals, '.' as '_': PRESIDIO_UI_PORT), or\n"
	"the command line (-c KEY=VALUE before the command).  Each later place\n"
	"overrides the earlier ones, and a command's own option (ui --port)\n"
	"overrides them all.  See presidio.conf(5).\n"
	"\n"
	"  --json   one JSON object: key -> {value, source}\n";

static int print_json(const struct cli *c)
{
	char src[CONF_PATH_MAX + 32];
	json_t *root = json_object(), *item;
	size_t i;
	int rc;

	for (i = 0; root && i < NKEYS; i++) {
		item = json_pack("{s:s?,s:s}", "value", c->conf.v[i].text,
				 "source", conf_source_text(&c->conf, i, src,
							    sizeof(src)));
		if (!item || json_object_set_new(root, cli_keys[i].name, item))
			break;
	}
	rc = root && i == NKEYS && json_dumpf(root, stdout, JSON_INDENT(2)) ==
		0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	putchar('\n');
	json_decref(root);
	return rc;
}

int cmd_config(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	char src[CONF_PATH_MAX + 32];
	int opt, json = 0;
	size_t i;

	cli_opts_begin(c, "config", cli_usage_config);
	while ((opt = cli_next_opt(c, argc, argv, "h", opts)) >= 0)
		if (opt == 'j')
			json = 1;
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	if (json)
		return print_json(c);
	for (i = 0; i < NKEYS; i++) {
		const char *v = c->conf.v[i].text;

		printf("%-22s = %-28s # %s\n", cli_keys[i].name, v ? v : "",
		       conf_source_text(&c->conf, i, src, sizeof(src)));
	}
	return CLI_EXIT_OK;
}
