/*
 * cmd_erase.c - `presidio hub erase ID --reason R`: the focal_point erases
 * a person by destroying the person's key (node/store_erase.h), on the hub
 * and, at their next sync, on every node; `presidio erasures`: the list
 * of erasures decided (hub) or applied (node).
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "node/store_erase.h"

enum { OPT_JSON = CLI_OPT_LOCAL, OPT_REASON };

const char cli_usage_erase[] =
	"usage: presidio hub erase PERSON --reason REASON\n"
	"\n"
	"Erase the person PERSON (a record id of the persons) on the hub, for\n"
	"the focal_point and the coordinatore only.  The person's key is destroyed: the person's\n"
	"record, the cases about the person and everything under them become\n"
	"unreadable in every copy, backups included (once no backup of the\n"
	"keys from before today is kept: see the README, \"Erasure\").  What\n"
	"reports count stays: each record keeps the values of fields that are\n"
	"not personal (region, stage, dates).  Every node applies the erasure\n"
	"at its next sync, even after months offline.  It cannot be undone.\n"
	"\n"
	"REASON is one of:\n"
	"  richiesta_interessato   the person asked (GDPR art. 17)\n"
	"  termine_conservazione   the retention period ended\n";

const char cli_usage_erasures[] =
	"usage: presidio erasures [--json]\n"
	"\n"
	"The persons erased: on the hub, the erasures decided (the list every\n"
	"node receives); on a node, those it applied.  One line each:\n"
	"  N DATE PERSON RECORDS REASON OPERATOR\n"
	"Ids and counts only.\n"
	"\n"
	"  --json   JSON Lines: seq, person, records, reason, operator, at\n";

static void print_one(const struct store_erasure *d, int json)
{
	char id[ID_TEXT_LEN + 1], when[32];
	time_t t = (time_t)d->at;
	struct tm tm;

	id_format(&d->person, id);
	if (json) {
		printf("{\"seq\":%" PRIu64 ",\"person\":\"%s\",\"records\":%"
		       PRIu64 ",\"reason\":\"%s\",\"operator\":\"%s\","
		       "\"at\":%" PRId64 "}\n",
		       d->seq, id, d->records, d->reason, d->operator, d->at);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%" PRIu64 " %s %s %" PRIu64 " %s %s\n", d->seq, when, id,
	       d->records, d->reason, d->operator);
}

static int print_cb(void *ctx, const struct store_erasure *d)
{
	print_one(d, *(const int *)ctx);
	return 0;
}

int cmd_hub_erase(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, OPT_REASON },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct store_erasure d;
	struct store *s = NULL;
	const char *reason = NULL;
	struct id person;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "hub erase", cli_usage_erase);
	while ((opt = cli_next_opt(c, argc, argv, "h", opts)) !=
	       CLI_NEXT_END) {
		if (opt == OPT_REASON)
			reason = optarg;
		else
			return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (cli_parse_id(c, argv[optind], &person))
		return CLI_EXIT_USAGE;
	if (!reason)
		return cli_usage(c, "--reason is required");
	if (!store_erase_reason_ok(reason))
		return cli_usage(c, "--reason: '%.40s' is not %s or %s", reason,
				 STORE_ERASE_REQUEST, STORE_ERASE_RETENTION);
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = store_erase_decide(s, &person, reason, &d, &e);
	store_close(s);
	if (rc)
		return cli_fail(&e);
	log_info("hub.erased", "person %s: %" PRIu64 " records made "
		 "unreadable (%s, by %s)", argv[optind], d.records, d.reason,
		 d.operator);
	printf("person %s erased: %" PRIu64 " records made unreadable; every "
	       "node applies it at its next sync\n", argv[optind], d.records);
	return CLI_EXIT_OK;
}

int cmd_erasures(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct store *s = NULL;
	struct err e;
	int opt, rc, json = 0;

	cli_opts_begin(c, "erasures", cli_usage_erasures);
	while ((opt = cli_next_opt(c, argc, argv, "h", opts)) !=
	       CLI_NEXT_END) {
		if (opt == OPT_JSON)
			json = 1;
		else
			return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	rc = cli_open(c, &s, &e);
	if (!rc)
		rc = store_erasure_list(s, 0, 0, print_cb, &json, &e);
	store_close(s);
	return rc ? cli_fail(&e) : CLI_EXIT_OK;
}
