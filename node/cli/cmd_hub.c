/*
 * cmd_hub.c - `presidio hub ...`: the Helpdesk hub's commands: serving
 * sync (sync/hub.h) and managing the nodes it serves.
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conflict/scope.h"
#include "sync/hub.h"
#include "sync/auth.h"
#include "sync/hub_loop.h"
#include "view/view_metrics.h"
#include "view/view_nodes.h"

enum {
	OPT_LISTEN = CLI_OPT_LOCAL,
	OPT_PORT,
	OPT_PORT_FILE,
	OPT_CERT,
	OPT_KEY,
	OPT_PLAIN,
	OPT_THREADS,
	OPT_MAX_BODY,
	OPT_KIND,
	OPT_REGION,
	OPT_TTL,
	OPT_JSON,
	OPT_HORIZON,
	OPT_PURGE_EVERY,
	OPT_MAX_CONNS,
	OPT_MAX_PER_IP
};

const char cli_usage_hub[] =
	"usage: presidio hub serve --cert FILE --key FILE [--listen ADDR]\n"
	"                          [--port N] [--port-file FILE] [--threads N]\n"
	"                          [--max-conns N] [--max-conns-per-ip N]\n"
	"       presidio hub serve --plain-http [--listen 127.0.0.1] ...\n"
	"       presidio hub node add NAME --kind polo|pda|attuatore\n"
	"                          --region REGION [--ttl HOURS]\n"
	"       presidio hub node token NAME [--ttl HOURS]\n"
	"       presidio hub node revoke NAME\n"
	"       presidio hub node cap NAME RECORDS\n"
	"       presidio hub node list [--json]\n"
	"       presidio hub purge [--horizon SECONDS]\n"
	"       presidio hub allocation [--json]\n"
	"       presidio hub erase PERSON --reason REASON\n"
	"       presidio hub allocation set PARTNER N\n"
	"\n"
	"serve: answer the nodes' sync over HTTPS (TLS 1.2 or later) with\n"
	"the certificate chain and key in PEM files, on ADDR (default\n"
	"0.0.0.0) port N (default 8443; 0 picks a free one, written to the\n"
	"port file).  --plain-http serves without TLS for a TLS-terminating\n"
	"reverse proxy, and only on a loopback address.  Runs until SIGTERM\n"
	"or Ctrl-C.  Every --purge-every SECONDS (default 3600) it purges\n"
	"tombstones, as 'hub purge' does.  It holds at most --max-conns\n"
	"connections (default 256), at most --max-conns-per-ip from one\n"
	"address (default 32): behind a TLS-terminating proxy or a NAT every\n"
	"node has the same address, so raise it to --max-conns there.\n"
	"\n"
	"The options of serve default to their settings in presidio.conf\n"
	"(hub.listen, hub.port, hub.cert, hub.key, hub.threads, hub.max_conns,\n"
	"hub.max_conns_per_ip, hub.purge_every, hub.horizon: 'presidio\n"
	"config').  /metrics answers in the Prometheus text format to clients\n"
	"on this machine, and to others with the token of metrics.token_file.\n"
	"\n"
	"node add: register a node and print its one-time enrollment token\n"
	"(valid HOURS, default 72).  node token: a new token (the node must\n"
	"enroll again).  node revoke: refuse all its requests from now on.\n"
	"node cap: the most records its scope may hold (0: no cap).  node\n"
	"list: nodes, last contact and acknowledged cursors.  add, token,\n"
	"revoke and cap unlock the hub: what they write is authenticated\n"
	"under its data key, so that a node row altered in the file is\n"
	"refused.\n"
	"\n"
	"purge: purge the deleted records that every node seeing them has\n"
	"acknowledged.  A node silent longer than the horizon (--horizon\n"
	"SECONDS, default 30 days) does not hold the purge back: it rebuilds\n"
	"its copy from the hub at its next sync, after pushing its changes.\n"
	"\n"
	"allocation: the dotes each partner may hold (live, not revoked)\n"
	"and how many it holds; a dote the hub assigns past the allocation\n"
	"is refused.  allocation set: change one partner's (never below what\n"
	"it holds).  Both unlock the hub.\n";

static int hub_store(struct cli *c, struct store **s, int unlock,
		     struct err *e)
{
	int rc = unlock ? cli_open_unlocked(c, s, e) : cli_open(c, s, e);

	if (!rc && store_role(*s) != STORE_ROLE_HUB)
		rc = err_set(e, ERR_INVALID, "this node is not a hub (presidio "
			     "init --hub)");
	return rc;
}

/* ---- serve ---- */

/* What the hooks of `hub serve` share. */
struct serve_ctx {
	sigset_t set;          /* SIGINT, SIGTERM: blocked, waited for */
	struct store *s;
	const struct hub_config *cfg;
	const char *port_file; /* or NULL */
};

/* The purge interval, or a stop signal (then says so, before the hub
 * stops). */
static int serve_wait(void *ctx, uint64_t ms)
{
	struct serve_ctx *sc = ctx;
	struct timespec ts = { (time_t)(ms / 1000),
			       (long)(ms % 1000) * 1000000L };

	if (sigtimedwait(&sc->set, NULL, &ts) <= 0)
		return 0;
	cli_note(LOG_INFO, "hub.stop", "hub stopping");
	return 1;
}

static int serve_started(void *ctx, uint16_t port, struct err *e)
{
	struct serve_ctx *sc = ctx;
	int rc = 0;

	if (sc->port_file)
		rc = cli_port_file(sc->port_file, port, e);
	if (rc < 0)
		return rc;
	cli_note(LOG_INFO, "hub.start", "hub '%s' serving %s on %s port %u",
		store_node_name(sc->s), sc->cfg->http.plain_http ? "HTTP"
								 : "HTTPS",
		sc->cfg->http.address, (unsigned)port);
	return 0;
}

static void serve_purged(void *ctx, int rc, uint64_t purged,
			 const struct err *e)
{
	(void)ctx;
	if (rc < 0)
		cli_note(LOG_ERROR, "hub.purge_failed", "tombstone purge: %s",
			 e->msg);
	else if (purged)
		cli_note(LOG_INFO, "hub.purged", "purged %" PRIu64 " tombstones",
			purged);
}

/* /metrics' store figures (hub_metrics_fn): the view's. */
static int serve_metrics(void *ctx, struct store *s, struct buf *b,
			 struct err *e)
{
	(void)ctx;
	return view_metrics_write(s, b, (int64_t)sync_now_ms(), e);
}

static int serve(struct cli *c, struct hub_config *cfg, const char *port_file,
		 const struct hub_loop_opts *lo)
{
	struct hub_loop_hooks h = { serve_wait, serve_started, serve_purged,
				    NULL };
	struct serve_ctx sc;
	uint64_t restarted = 0;
	char token[CLI_TOKEN_MAX];
	struct err e;
	int rc;

	err_init(&e);
	sc.s = NULL;
	sc.cfg = cfg;
	cfg->metrics_fn = serve_metrics;
	rc = cli_metrics_token(c, token, sizeof(token), &e);
	if (rc < 0)
		return cli_fail(&e);
	cfg->metrics_token = token[0] ? token : NULL;
	sc.port_file = port_file;
	h.ctx = &sc;
	/* Signals go to this thread's sigwait, not to the workers (which
	 * inherit the mask when the hub starts them). */
	sigemptyset(&sc.set);
	sigaddset(&sc.set, SIGINT);
	sigaddset(&sc.set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sc.set, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = hub_store(c, &sc.s, 1, &e);
	/* Restored from a backup (presidio restore): the nodes start over. */
	if (!rc)
		rc = registry_restored_recover(sc.s, &restarted, &e);
	if (!rc && restarted)
		cli_note(LOG_WARN, "hub.restored", "restored from a backup: %"
			 PRIu64 " nodes start over at their next sync",
			 restarted);
	if (!rc)
		rc = hub_loop_run(sc.s, cfg, lo, &h, &e);
	store_close(sc.s);
	sodium_memzero(token, sizeof(token));
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

static int hub_serve(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "plain-http", no_argument, NULL, OPT_PLAIN },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "max-body", required_argument, NULL, OPT_MAX_BODY },
		{ "purge-every", required_argument, NULL, OPT_PURGE_EVERY },
		{ "horizon", required_argument, NULL, OPT_HORIZON },
		{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
		{ "max-conns-per-ip", required_argument, NULL, OPT_MAX_PER_IP },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct hub_config cfg;
	struct hub_loop_opts lo;
	const char *port_file = NULL;
	uint64_t v = 0;
	int opt;

	hub_loop_opts_init(&lo);
	memset(&cfg, 0, sizeof(cfg));
	/* presidio.conf's values; the options below override them. */
	cfg.http.address = conf_str(&c->conf, "hub.listen");
	cfg.http.port = (uint16_t)conf_num(&c->conf, "hub.port");
	cfg.http.cert_file = conf_str(&c->conf, "hub.cert");
	cfg.http.key_file = conf_str(&c->conf, "hub.key");
	cfg.http.threads = (unsigned)conf_num(&c->conf, "hub.threads");
	cfg.http.max_conns = (unsigned)conf_num(&c->conf, "hub.max_conns");
	cfg.http.max_per_ip =
		(unsigned)conf_num(&c->conf, "hub.max_conns_per_ip");
	lo.purge_every_s = conf_num(&c->conf, "hub.purge_every");
	lo.horizon_s = conf_num(&c->conf, "hub.horizon");
	cli_opts_begin(c, "hub serve", cli_usage_hub);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		switch (opt) {
		case OPT_LISTEN:
			cfg.http.address = optarg;
			break;
		case OPT_PORT:
			if (cli_parse_u64(optarg, 0, 65535, &v))
				return cli_usage(c, "bad --port");
			cfg.http.port = (uint16_t)v;
			break;
		case OPT_PORT_FILE:
			port_file = optarg;
			break;
		case OPT_CERT:
			cfg.http.cert_file = optarg;
			break;
		case OPT_KEY:
			cfg.http.key_file = optarg;
			break;
		case OPT_PLAIN:
			cfg.http.plain_http = 1;
			break;
		case OPT_THREADS:
			if (cli_parse_u64(optarg, 1, 64, &v))
				return cli_usage(c, "bad --threads");
			cfg.http.threads = (unsigned)v;
			break;
		case OPT_MAX_BODY:
			if (cli_parse_u64(optarg, 1024, 1u << 30, &v))
				return cli_usage(c, "bad --max-body");
			cfg.http.max_body = (size_t)v;
			break;
		case OPT_PURGE_EVERY:
			if (cli_parse_u64(optarg, 1, 86400 * 7,
					  &lo.purge_every_s))
				return cli_usage(c, "bad --purge-every");
			break;
		case OPT_HORIZON:
			if (cli_parse_u64(optarg, 0, 86400 * 3650,
					  &lo.horizon_s))
				return cli_usage(c, "bad --horizon");
			break;
		case OPT_MAX_CONNS:
			if (cli_parse_u64(optarg, 4, 4000, &v))
				return cli_usage(c, "bad --max-conns");
			cfg.http.max_conns = (unsigned)v;
			break;
		case OPT_MAX_PER_IP:
			if (cli_parse_u64(optarg, 1, 4000, &v))
				return cli_usage(c, "bad --max-conns-per-ip");
			cfg.http.max_per_ip = (unsigned)v;
			break;
		default:
			break;
		}
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	/* --plain-http leaves out the certificate the configuration names
	 * (a hub behind a TLS proxy), not one given beside it. */
	if (cfg.http.plain_http &&
	    cfg.http.cert_file == conf_str(&c->conf, "hub.cert"))
		cfg.http.cert_file = NULL;
	if (cfg.http.plain_http &&
	    cfg.http.key_file == conf_str(&c->conf, "hub.key"))
		cfg.http.key_file = NULL;
	if (cfg.http.plain_http && (cfg.http.cert_file || cfg.http.key_file))
		return cli_usage(c, "--plain-http takes no certificate");
	if (!cfg.http.plain_http && (!cfg.http.cert_file || !cfg.http.key_file))
		return cli_usage(c, "--cert and --key are required (or "
				 "hub.cert and hub.key in presidio.conf, or "
				 "--plain-http behind a TLS proxy)");
	if (cfg.http.plain_http && strcmp(cfg.http.address, "0.0.0.0") == 0)
		cfg.http.address = "127.0.0.1";
	return serve(c, &cfg, port_file, &lo);
}

/* ---- node ---- */

static int node_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "ttl", required_argument, NULL, OPT_TTL },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	char token[REGISTRY_TOKEN_LEN + 1];
	const char *kind = NULL, *region = NULL;
	struct store *s = NULL;
	uint64_t ttl = 72;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "hub node add", cli_usage_hub);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "h", opts);
		if (opt < 0)
			break;
		if (opt == OPT_KIND)
			kind = optarg;
		else if (opt == OPT_REGION)
			region = optarg;
		else if (opt == OPT_TTL &&
			 cli_parse_u64(optarg, 1, 24 * 365, &ttl))
			return cli_usage(c, "bad --ttl hours");
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (!kind || !region)
		return cli_usage(c, "--kind and --region are required");
	err_init(&e);
	rc = hub_store(c, &s, 1, &e);
	if (!rc)
		rc = registry_peer_add(s, argv[optind], kind, region,
				       (int64_t)ttl * 3600, token, &e);
	if (!rc) {
		printf("%s\n", token);
		fprintf(stderr, "presidio: node '%s' registered; give it this "
			"token (valid %" PRIu64 " hours, once)\n",
			argv[optind], ttl);
		sodium_memzero(token, sizeof(token));
	}
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* token, revoke, cap: NAME [VALUE] */
static int node_simple(struct cli *c, int argc, char **argv, const char *cmd)
{
	static const struct option opts[] = {
		{ "ttl", required_argument, NULL, OPT_TTL },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	char token[REGISTRY_TOKEN_LEN + 1];
	int is_cap = strcmp(cmd, "hub node cap") == 0;
	int is_token = strcmp(cmd, "hub node token") == 0;
	struct store *s = NULL;
	uint64_t ttl = 72, cap = 0;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, cmd, cli_usage_hub);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "h", opts);
		if (opt < 0)
			break;
		if (opt == OPT_TTL &&
		    (!is_token || cli_parse_u64(optarg, 1, 24 * 365, &ttl)))
			return cli_usage(c, "bad --ttl");
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, is_cap ? 2 : 1, is_cap ? 2 : 1) < 0)
		return CLI_EXIT_USAGE;
	if (is_cap && cli_parse_u64(argv[optind + 1], 0, UINT32_MAX, &cap))
		return cli_usage(c, "bad record cap");
	err_init(&e);
	rc = hub_store(c, &s, 1, &e);
	if (rc)
		goto out;
	if (is_cap) {
		rc = registry_peer_set_cap(s, argv[optind], cap, &e);
	} else if (is_token) {
		rc = registry_peer_token(s, argv[optind], (int64_t)ttl * 3600,
					 token, &e);
		if (!rc)
			printf("%s\n", token);
		sodium_memzero(token, sizeof(token));
	} else {
		rc = registry_peer_revoke(s, argv[optind], &e);
		if (!rc)
			fprintf(stderr, "presidio: node '%s' revoked\n",
				argv[optind]);
	}
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

static void when(int64_t t, char *out, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!t || !gmtime_r(&tt, &tm))
		snprintf(out, n, "never");
	else
		strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int print_peer(void *ctx, const struct registry_peer *p)
{
	json_t *list = ctx;
	char contact[32];

	if (list)
		return json_array_append_new(list,
					     view_node_json(p, time(NULL)))
			       ? ERR_NOMEM
			       : 0;
	when(p->last_contact, contact, sizeof(contact));
	printf("%-24s %-9s %-10s %-19s contact %-20s push %" PRIu64
	       " pull %" PRIu64 " refused %" PRIu64 " schema %d%s\n",
	       p->name, p->kind, p->region, view_node_state(p, time(NULL)),
	       contact, p->push_ack, p->pull_ack, p->refused,
	       p->schema_version, p->record_cap ? " (capped)" : "");
	return 0;
}

static int node_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct store *s = NULL;
	json_t *list = NULL;
	struct err e;
	int opt, rc, json = 0;

	cli_opts_begin(c, "hub node list", cli_usage_hub);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "h", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			json = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	if (json)
		list = json_array();
	rc = hub_store(c, &s, 0, &e);
	if (!rc)
		rc = registry_peer_list(s, print_peer, list, &e);
	if (!rc && json)
		rc = cli_print_json(list, JSON_INDENT(2), &e);
	json_decref(list);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

static int hub_purge(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "horizon", required_argument, NULL, OPT_HORIZON },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	uint64_t horizon = conf_num(&c->conf, "hub.horizon"), purged = 0;
	struct store *s = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "hub purge", cli_usage_hub);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_HORIZON &&
		    cli_parse_u64(optarg, 0, 86400 * 3650, &horizon))
			return cli_usage(c, "bad --horizon");
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	rc = hub_store(c, &s, 1, &e);
	if (!rc)
		rc = registry_tombstone_sweep(s, (int64_t)horizon, &purged, &e);
	if (!rc)
		printf("purged %" PRIu64 " tombstone%s\n", purged,
		       purged == 1 ? "" : "s");
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* ---- allocation ---- */

static int print_alloc(void *ctx, const struct registry_allocation *a)
{
	json_t *list = ctx;

	if (list)
		return json_array_append_new(
			       list, json_pack("{sssIsI}", "partner", a->group,
					       "allocated",
					       (json_int_t)a->allocated, "used",
					       (json_int_t)a->used))
			       ? ERR_NOMEM
			       : 0;
	printf("%-16s allocated %6" PRId64 "  used %6" PRId64 "\n", a->group,
	       a->allocated, a->used);
	return 0;
}

static int hub_allocation(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	const struct schema_collection *q;
	struct store *s = NULL;
	json_t *list = NULL;
	uint64_t n = 0;
	struct err e;
	int opt, rc, json = 0, set;

	cli_opts_begin(c, "hub allocation", cli_usage_hub);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "h", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			json = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	set = optind < argc && strcmp(argv[optind], "set") == 0;
	if (cli_args(c, argc, set ? 3 : 0, set ? 3 : 0) < 0)
		return CLI_EXIT_USAGE;
	if (set && cli_parse_u64(argv[optind + 2], 0, 1000000, &n))
		return cli_usage(c, "bad allocation");
	err_init(&e);
	if (json && !set)
		list = json_array();
	/* The collection whose quota is the programme's allocation. */
	q = schema_quota_collection();
	rc = q ? hub_store(c, &s, 1, &e)
	       : err_set(&e, ERR_NOTFOUND, "nessuna quota dichiarata dallo "
			 "schema: niente da allocare");
	if (!rc && set)
		rc = registry_allocation_set(s, q->name, argv[optind + 1],
					     (int64_t)n, &e);
	else if (!rc)
		rc = registry_allocation_list(s, q->name, print_alloc, list,
					      &e);
	if (!rc && list)
		rc = cli_print_json(list, JSON_INDENT(2), &e);
	json_decref(list);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_hub(struct cli *c, int argc, char **argv)
{
	c->cmd_name = "hub";
	if (argc < 2)
		return cli_usage(c, "missing subcommand");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(cli_usage_hub, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "serve") == 0)
		return hub_serve(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "purge") == 0)
		return hub_purge(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "allocation") == 0)
		return hub_allocation(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "erase") == 0)
		return cmd_hub_erase(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "node") != 0)
		return cli_usage(c, "unknown subcommand '%.40s'", argv[1]);
	if (argc < 3)
		return cli_usage(c, "missing 'node' subcommand");
	argc -= 2;
	argv += 2;
	if (strcmp(argv[0], "add") == 0)
		return node_add(c, argc, argv);
	if (strcmp(argv[0], "list") == 0)
		return node_list(c, argc, argv);
	if (strcmp(argv[0], "token") == 0)
		return node_simple(c, argc, argv, "hub node token");
	if (strcmp(argv[0], "revoke") == 0)
		return node_simple(c, argc, argv, "hub node revoke");
	if (strcmp(argv[0], "cap") == 0)
		return node_simple(c, argc, argv, "hub node cap");
	return cli_usage(c, "unknown subcommand 'node %.40s'", argv[0]);
}
