/*
 * cmd_report.c - `presidio report`: the indicators of the node's records
 * (the hub's: the national view), as JSON or CSV.  The view
 * (view/view_report.h) reads the records, protects the tables and builds
 * both formats; this file parses the options and prints.
 */
#include "node/cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/view_report.h"

enum { OPT_JSON = CLI_OPT_LOCAL, OPT_CSV, OPT_ONLY, OPT_FROM, OPT_TO };

/* For the Helpdesk and the Poli: in Italian, as the report's labels. */
const char cli_usage_report[] =
	"usage: presidio report [--json | --csv] [--only TABELLA]...\n"
	"                       [--from AAAA-MM] [--to AAAA-MM]\n"
	"\n"
	"Gli indicatori dei casi che questo nodo conserva: sull'hub il quadro\n"
	"nazionale, su un Polo, un Punto di Accesso o un soggetto attuatore\n"
	"i soli casi del nodo. Non contiene dati personali: solo conteggi,\n"
	"somme e giorni.\n"
	"\n"
	"Tabelle (--only, anche più volte; senza: tutte):\n"
	"  cases_bdi       casi per regione e fase BdI\n"
	"  cases_path      casi per fase del percorso al Polo\n"
	"  cases_partner   doti per partner e fase BdI del caso\n"
	"  doti            doti usate (e, sull'hub, assegnate) per partner\n"
	"  days            giorni tra le fasi BdI: mediana e 90° percentile\n"
	"  spending        spesa per area e partner, al netto degli storni\n"
	"  services        servizi per tipo e regione del caso\n"
	"  referrals       invii per stato\n"
	"\n"
	"Riservatezza: un conteggio da 1 a 4 non si pubblica, e nemmeno ogni\n"
	"valore (anche un totale) da cui lo si potrebbe ricalcolare; una\n"
	"spesa non si pubblica se vi contribuiscono meno di 5 doti. Al loro\n"
	"posto: \"riservato\" nel CSV, null nel JSON. Lo 0 si pubblica.\n"
	"Il periodo è fatto di mesi interi: due report su periodi che\n"
	"differiscono di pochi giorni, sottratti, darebbero i conteggi di\n"
	"quei giorni.\n"
	"\n"
	"  --json                JSON (predefinito): le tabelle con righe,\n"
	"                        colonne, celle e totali\n"
	"  --csv                 CSV per il foglio di calcolo: separatore ';'\n"
	"                        e virgola decimale, come li apre Excel o\n"
	"                        LibreOffice in italiano; colonne tabella;\n"
	"                        titolo;riga;colonna;valore, importi in euro\n"
	"  --only TABELLA        solo questa tabella\n"
	"  --from AAAA-MM        dal primo giorno del mese (anche\n"
	"                        AAAA-MM-01; casi: dal primo contatto;\n"
	"                        spese e servizi: dalla loro data; invii:\n"
	"                        dalla data di invio)\n"
	"  --to AAAA-MM          fino all'ultimo giorno del mese, compreso\n"
	"                        (anche AAAA-MM-GG, se GG è l'ultimo)\n"
	"  -u, --operator NAME   accedi come NAME\n"
	"  --key-file PATH       accedi con un file chiave\n"
	"  --passphrase-fd N     leggi la passphrase dal descrittore N\n"
	"\n"
	"Esempio: presidio report --csv --from 2026-01 --to 2026-06 > "
	"report.csv\n";

static int report(struct cli *c, const struct view_report_opts *o, int csv)
{
	struct store *s = NULL;
	json_t *rep = NULL;
	char *text = NULL;
	struct err e;
	int rc;

	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc == 0)
		rc = view_report(s, o, &rep, &e);
	if (rc == 0 && csv) {
		rc = view_report_csv(rep, &text, &e);
		if (rc == 0 && (fputs(text, stdout) == EOF || fflush(stdout)))
			rc = err_set(&e, ERR_IO,
				     "cannot write to standard output");
	} else if (rc == 0) {
		rc = cli_print_json(rep, JSON_INDENT(2), &e);
	}
	free(text);
	json_decref(rep);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_report(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct view_report_opts o = { 0, NULL, NULL };
	int opt, csv = 0, json = 0;
	unsigned part;
	struct err e;

	err_init(&e);
	cli_opts_begin(c, "report", cli_usage_report);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			json = 1;
		else if (opt == OPT_CSV)
			csv = 1;
		else if (opt == OPT_FROM)
			o.from = optarg;
		else if (opt == OPT_TO)
			o.to = optarg;
		else if (opt == OPT_ONLY) {
			if (view_report_part(optarg, &part, &e) < 0)
				return cli_usage(c, "%s", e.msg);
			o.parts |= part;
		}
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (json && csv)
		return cli_usage(c, "--json and --csv exclude each other");
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	return report(c, &o, csv);
}
