/*
 * cmd_ui.c - `presidio ui`: serve the operators' web interface
 * (node/ui/ui.h) of this node until SIGINT or SIGTERM.  Operators sign in
 * in the browser, each with their own passphrase: the command unlocks
 * nothing itself.
 */
#include "node/cli/cli.h"

#include <pthread.h>
#include <sodium.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "node/ui/ui.h"

enum {
	OPT_LISTEN = CLI_OPT_LOCAL,
	OPT_PORT,
	OPT_PORT_FILE,
	OPT_CERT,
	OPT_KEY,
	OPT_THREADS,
	OPT_IDLE
};

const char cli_usage_ui[] =
	"usage: presidio ui [--listen ADDR] [--port N] [--port-file FILE]\n"
	"                   [--cert FILE --key FILE] [--idle SECONDS]\n"
	"                   [--threads N]\n"
	"\n"
	"Serve the operators' web interface (in Italian) of this node until\n"
	"SIGINT or SIGTERM.  Open http://127.0.0.1:PORT/ in a browser on this\n"
	"computer; each operator signs in with their own name and passphrase\n"
	"(operators with a key file use the command line).  On the hub's\n"
	"directory (beside `hub serve`) it adds the national dashboard,\n"
	"whose charts need Debian's libjs-chart.js.\n"
	"\n"
	"Each option's default is its setting in presidio.conf (ui.listen,\n"
	"ui.port, ui.cert, ui.key, ui.idle, ui.threads: 'presidio config').\n"
	"/metrics answers in the Prometheus text format to clients on this\n"
	"machine, and to others with the token of metrics.token_file.\n"
	"\n"
	"  --listen ADDR      address to bind (default 127.0.0.1); any other\n"
	"                     than loopback (the office network) needs TLS\n"
	"  --port N           port (default 8080; 0: any free port)\n"
	"  --port-file FILE   write the port there once listening\n"
	"  --cert FILE        TLS certificate chain (PEM), with --key\n"
	"  --key FILE         its private key (PEM, not encrypted)\n"
	"  --idle SECONDS     sign a browser out after this long without a\n"
	"                     request (default 900, 15 minutes)\n"
	"  --threads N        requests served at once (default 4)\n"
	"\n"
	"Example:\n"
	"  presidio ui --port 8080\n";

static int ui_options(struct cli *c, int argc, char **argv,
		      struct ui_config *cfg, const char **port_file)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "idle", required_argument, NULL, OPT_IDLE },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	uint64_t v = 0;
	int opt;

	cli_opts_begin(c, "ui", cli_usage_ui);
	while ((opt = cli_next_opt(c, argc, argv, "h", opts)) >= 0) {
		if (opt == OPT_LISTEN) {
			cfg->http.address = optarg;
		} else if (opt == OPT_PORT) {
			if (cli_parse_u64(optarg, 0, 65535, &v))
				return cli_usage(c, "bad --port");
			cfg->http.port = (uint16_t)v;
		} else if (opt == OPT_PORT_FILE) {
			*port_file = optarg;
		} else if (opt == OPT_CERT) {
			cfg->http.cert_file = optarg;
		} else if (opt == OPT_KEY) {
			cfg->http.key_file = optarg;
		} else if (opt == OPT_THREADS) {
			if (cli_parse_u64(optarg, 1, 64, &v))
				return cli_usage(c, "bad --threads");
			cfg->http.threads = (unsigned)v;
		} else if (opt == OPT_IDLE) {
			if (cli_parse_u64(optarg, 1, 86400, &cfg->idle_s))
				return cli_usage(c, "bad --idle (1 to 86400 "
						 "seconds)");
		}
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	if (!cfg->http.cert_file != !cfg->http.key_file)
		return cli_usage(c, "--cert and --key go together");
	cfg->http.plain_http = !cfg->http.cert_file;
	return -1;
}

int cmd_ui(struct cli *c, int argc, char **argv)
{
	struct ui_config cfg;
	const char *port_file = NULL;
	char token[CLI_TOKEN_MAX], log_path[4200];
	struct ui *u = NULL;
	sigset_t set;
	struct err e;
	int rc, sig;

	memset(&cfg, 0, sizeof(cfg));
	/* presidio.conf's values; the options below override them. */
	cfg.http.address = conf_str(&c->conf, "ui.listen");
	cfg.http.port = (uint16_t)conf_num(&c->conf, "ui.port");
	cfg.http.cert_file = conf_str(&c->conf, "ui.cert");
	cfg.http.key_file = conf_str(&c->conf, "ui.key");
	cfg.http.threads = (unsigned)conf_num(&c->conf, "ui.threads");
	cfg.idle_s = conf_num(&c->conf, "ui.idle");
	rc = ui_options(c, argc, argv, &cfg, &port_file);
	if (rc >= 0)
		return rc;
	err_init(&e);
	if (cli_metrics_token(c, token, sizeof(token), &e) < 0)
		return cli_fail(&e);
	/* The node's log (as every command that opens the node has it):
	 * sign-ins and refusals, never a value.  Under systemd, the
	 * journal. */
	snprintf(log_path, sizeof(log_path), "%s/%s", c->dir, STORE_LOG_FILE);
	if (log_open(log_path, &e) < 0)
		err_init(&e); /* the interface works without its log */
	cfg.metrics_token = token[0] ? token : NULL;
	/* Signals go to this thread's sigwait, not to the server's threads
	 * (which inherit the mask). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = ui_start(&u, c->dir, &cfg, &e);
	if (!rc && port_file)
		rc = cli_port_file(port_file, ui_port(u), &e);
	if (!rc) {
		cli_note(LOG_INFO, "ui.start", "interfaccia web su %s://%s:%u/",
			cfg.http.plain_http ? "http" : "https",
			cfg.http.address, (unsigned)ui_port(u));
		while (sigwait(&set, &sig) != 0)
			;
		cli_note(LOG_INFO, "ui.stop", "interfaccia web fermata");
	}
	ui_stop(u);
	sodium_memzero(token, sizeof(token));
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}
