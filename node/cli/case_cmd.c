/*
 * case_cmd.c - see case_cmd.h.
 */
#include "node/cli/case_cmd.h"

#include <stdio.h>
#include <string.h>

#include "node/store_step.h"
#include "schema/rule.h"

const char *case_cmd_role_words(const char *role)
{
	if (!role)
		return "un nodo non registrato presso un hub";
	if (strcmp(role, "hub") == 0)
		return "l'hub (Focal Point BdI)";
	if (strcmp(role, "polo") == 0)
		return "un Polo";
	if (strcmp(role, "pda") == 0)
		return "un Punto di Accesso";
	if (strcmp(role, "attuatore") == 0)
		return "un soggetto attuatore";
	return role;
}

static void cat(char *buf, size_t n, const char *s)
{
	size_t len = strlen(buf);

	if (len < n)
		snprintf(buf + len, n - len, "%s", s);
}

/* The values `to` is reached from, as labels, into buf. */
static void froms(const struct schema_field *f, const char *to, char *buf,
		  size_t n)
{
	const char *sep = "";

	buf[0] = '\0';
	for (size_t i = 0; i < f->ntransitions; i++) {
		const struct schema_transition *t = &f->transitions[i];

		if (strcmp(t->to, to) != 0)
			continue;
		cat(buf, n, sep);
		cat(buf, n, "\"");
		cat(buf, n, t->from ? ops_value_label("case", "bdi_stage",
						     t->from)
				    : "nessuna fase");
		cat(buf, n, "\"");
		sep = " o ";
	}
}

/* case_cmd_step() from `from` (a declared value or NULL). */
static int judge(struct store *s, const struct store_record *r,
		 const json_t *after, const char *from, const char *to,
		 int roles_only, struct err *e)
{
	const struct schema_field *f = schema_field(r->coll, "bdi_stage");
	char rolebuf[STORE_STEP_ROLE_MAX], list[400];
	const char *role = NULL, *tol;
	struct store_step st;
	int rc;

	if (!f)
		return err_set(e, ERR_FAIL, "no case.bdi_stage");
	rc = store_step_role(s, rolebuf, &role, e);
	if (!rc)
		rc = store_step_judge(s, r->coll, &r->id,
				      after ? after : r->fields, f, from, to,
				      role, &st, e);
	if (rc)
		return rc;
	tol = ops_value_label("case", "bdi_stage", to);
	if (!st.t && !from) {
		froms(f, to, list, sizeof(list));
		return err_set(e, ERR_CONFLICT, "passaggio non possibile: il "
			       "caso non e' ancora nella procedura BdI (campo "
			       "bdi_stage vuoto), e a \"%s\" si arriva solo "
			       "da %s", tol, list);
	}
	if (!st.t) {
		froms(f, to, list, sizeof(list));
		return err_set(e, ERR_CONFLICT, "passaggio non possibile: il "
			       "caso e' nella fase \"%s\" (campo bdi_stage), "
			       "e a \"%s\" si arriva solo da %s",
			       ops_value_label("case", "bdi_stage", from), tol,
			       list);
	}
	if (!st.role_ok) {
		list[0] = '\0';
		for (size_t i = 0; st.t->roles && st.t->roles[i]; i++) {
			cat(list, sizeof(list), i ? ", " : "");
			cat(list, sizeof(list), case_cmd_role_words(st.t->roles[i]));
		}
		return err_set(e, ERR_CONFLICT, "il passaggio a \"%s\" "
			       "(campo bdi_stage) spetta a %s; questo nodo "
			       "e' %s", tol, list, case_cmd_role_words(role));
	}
	if (roles_only || !st.nmissing)
		return 0;
	list[0] = '\0';
	for (size_t i = 0; i < st.nmissing; i++) {
		cat(list, sizeof(list), i ? "; " : "");
		cat(list, sizeof(list), st.missing[i]->label);
	}
	return err_set(e, ERR_CONFLICT, "per passare a \"%s\" (campo "
		       "bdi_stage) manca: %s", tol, list);
}

int case_cmd_step(struct store *s, const struct store_record *r,
		  const json_t *after, const char *to, int roles_only,
		  struct err *e)
{
	const struct schema_field *f = schema_field(r->coll, "bdi_stage");
	const char *from = f ? rule_value(f, json_object_get(r->fields,
							     "bdi_stage"))
			     : NULL;

	if (from && strcmp(from, to) == 0)
		return 0;
	return judge(s, r, after, from, to, roles_only, e);
}

int case_cmd_role(struct store *s, const struct store_record *r,
		  const char *from, const char *to, struct err *e)
{
	return judge(s, r, NULL, from, to, 1, e);
}

int case_cmd_args(struct cli *c, int argc, char **argv, int opt,
		  struct id *id)
{
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0 ||
	    cli_parse_id(c, argv[optind], id) < 0)
		return CLI_EXIT_USAGE;
	return -1;
}

int case_cmd_yesno(const struct cli *c, const char *opt, const char *arg,
		   int *v)
{
	if (!strcmp(arg, "si") || !strcmp(arg, "sì") || !strcmp(arg, "1") ||
	    !strcmp(arg, "true"))
		*v = 1;
	else if (!strcmp(arg, "no") || !strcmp(arg, "0") ||
		 !strcmp(arg, "false"))
		*v = 0;
	else {
		cli_usage(c, "%s vuole si oppure no", opt);
		return -1;
	}
	return 0;
}

struct child_find {
	const char *parent_field, *idtext;
	struct id *out;
	int *found;
};

static int child_one(void *ctx, const struct store_record *r)
{
	struct child_find *cf = ctx;
	const char *p = json_string_value(json_object_get(r->fields,
							  cf->parent_field));

	if (!p || strcmp(p, cf->idtext) != 0)
		return 0;
	*cf->out = r->id;
	*cf->found = 1;
	return ERR_STOP;
}

int case_cmd_child(struct store *s, const char *coll, const struct id *id,
		   struct id *out, int *found, struct err *e)
{
	const struct schema_collection *c = schema_collection(coll);
	char idtext[ID_TEXT_LEN + 1];
	struct child_find cf = { c ? c->parent : NULL, idtext, out, found };

	*found = 0;
	if (!c || !c->parent)
		return err_set(e, ERR_FAIL, "no collection '%s'", coll);
	id_format(id, idtext);
	return store_list(s, coll, 0, child_one, &cf, e);
}

