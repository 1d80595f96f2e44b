/*
 * cmd_retention.c - `presidio retention [--json] [--apply]`: which persons
 * the retention rule says must go and when (view/view_retention.h), and,
 * on the hub, erasing those due now (node/store_erase.h).
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/date.h"
#include "common/log.h"
#include "view/view_retention.h"

enum { OPT_JSON = CLI_OPT_LOCAL, OPT_APPLY };

const char cli_usage_retention[] =
	"uso: presidio retention [--json]\n"
	"     presidio retention --apply\n"
	"\n"
	"La conservazione dei dati: quali persone la regola dello schema\n"
	"manda cancellate e da quando.  Una persona si cancella quando tutti\n"
	"i suoi casi sono chiusi e per ciascuno è passato il periodo di\n"
	"conservazione; un caso aperto la conserva.  Una riga per persona:\n"
	"  DATA PERSONA casi N [ORA]\n"
	"(DATA: da quando va cancellata; \"aperto\" se un caso è aperto).\n"
	"Solo identificativi e date, nessun dato personale.\n"
	"\n"
	"Impostazioni (presidio.conf): retention.years (anni dopo la\n"
	"chiusura; predefinito quello dello schema), retention.programme_end\n"
	"(AAAA-MM-GG: i casi chiusi prima si conservano dagli anni dopo la\n"
	"fine del programma).\n"
	"\n"
	"  --json    JSON Lines: person, cases, open, due (AAAA-MM-GG o\n"
	"            null), due_now\n"
	"  --apply   sull'hub, per il coordinatore o il focal_point: cancella\n"
	"            ora le persone scadute (chiave distrutta, motivo\n"
	"            termine_conservazione); ogni nodo lo applica alla\n"
	"            sincronizzazione successiva\n";

struct show {
	int json;
	size_t now, later, open;
};

static int show_one(void *ctx, const struct view_retention_person *p)
{
	struct show *w = ctx;
	char id[ID_TEXT_LEN + 1], due[48] = "aperto";

	id_format(&p->person, id);
	if (p->due)
		snprintf(due, sizeof(due), "%04ld-%02ld-%02ld", p->due / 10000,
			 p->due / 100 % 100, p->due % 100);
	if (p->due_now)
		w->now++;
	else if (p->due)
		w->later++;
	else
		w->open++;
	if (w->json)
		printf("{\"person\":\"%s\",\"cases\":%zu,\"open\":%zu,"
		       "\"due\":%s%s%s,\"due_now\":%s}\n",
		       id, p->cases, p->open, p->due ? "\"" : "",
		       p->due ? due : "null", p->due ? "\"" : "",
		       p->due_now ? "true" : "false");
	else
		printf("%-10s %s casi %zu%s\n", due, id, p->cases,
		       p->due_now ? " ORA" : "");
	return 0;
}

/* The options from the configuration and today's date. */
static int options(struct cli *c, struct view_retention_opts *o,
		   struct err *e)
{
	const char *end = conf_str(&c->conf, "retention.programme_end");
	time_t now = time(NULL);
	struct tm tm;

	memset(o, 0, sizeof(*o));
	o->years = (unsigned)conf_num(&c->conf, "retention.years");
	if (end && date_parse(end, o->end))
		return err_set(e, ERR_INVALID, "retention.programme_end: not "
			       "a date YYYY-MM-DD");
	gmtime_r(&now, &tm);
	o->today = (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
		   tm.tm_mday;
	return 0;
}

int cmd_retention(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "apply", no_argument, NULL, OPT_APPLY },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	const struct schema_collection *coll = NULL;
	struct view_retention_opts o;
	struct show w = { 0, 0, 0, 0 };
	struct store *s = NULL;
	uint64_t erased = 0;
	struct err e;
	int opt, rc, apply = 0;

	cli_opts_begin(c, "retention", cli_usage_retention);
	while ((opt = cli_next_opt(c, argc, argv, "h", opts)) !=
	       CLI_NEXT_END) {
		if (opt == OPT_JSON)
			w.json = 1;
		else if (opt == OPT_APPLY)
			apply = 1;
		else
			return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	if (apply && w.json)
		return cli_usage(c, "--apply prints no JSON");
	err_init(&e);
	rc = options(c, &o, &e);
	if (!rc)
		rc = cli_open_unlocked(c, &s, &e);
	if (!rc && apply)
		rc = view_retention_apply(s, &o, &erased, &e);
	else if (!rc)
		rc = view_retention(s, &o, &coll, show_one, &w, &e);
	store_close(s);
	if (rc)
		return cli_fail(&e);
	if (apply) {
		log_info("hub.retention", "%" PRIu64 " persons erased", erased);
		printf("persone cancellate per termine di conservazione: %"
		       PRIu64 "\n", erased);
	} else if (!w.json) {
		printf("-- %s\n-- da cancellare ora %zu, più avanti %zu, con "
		       "un caso aperto %zu\n",
		       coll->retention->label, w.now, w.later, w.open);
	}
	return CLI_EXIT_OK;
}
