/*
 * ops.c - what the operators' domain commands share.  See ops.h.
 */
#include "node/cli/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/log.h"

/* ---- text ---- */

/* All of fd into a malloc'd NUL-terminated buffer of CLI_INPUT_MAX + 1
 * bytes. */
static int read_fd(int fd, char **out, size_t *len, struct err *e)
{
	size_t n = 0;
	ssize_t r;

	*out = malloc(CLI_INPUT_MAX + 1);
	if (!*out)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (;;) {
		r = read(fd, *out + n, CLI_INPUT_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set(e, ERR_IO, "lettura del testo non "
				       "riuscita: %s", strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > CLI_INPUT_MAX)
			return err_set(e, ERR_INVALID, "testo troppo lungo "
				       "(al massimo %u byte)", CLI_INPUT_MAX);
	}
	(*out)[n] = '\0';
	*len = n;
	return 0;
}

int ops_text_read(const char *arg, char **out, struct err *e)
{
	size_t len = 0;
	int fd = -1, rc;

	*out = NULL;
	if (strcmp(arg, "-") == 0) {
		rc = read_fd(STDIN_FILENO, out, &len, e);
	} else if (arg[0] == '@') {
		fd = open(arg + 1, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return err_set(e, ERR_IO, "non riesco ad aprire il "
				       "file del testo: %s", strerror(errno));
		rc = read_fd(fd, out, &len, e);
		close(fd);
	} else {
		len = strlen(arg);
		*out = malloc(len + 1);
		rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
		if (!rc)
			memcpy(*out, arg, len + 1);
	}
	if (rc)
		goto out;
	if (strlen(*out) != len)
		rc = err_set(e, ERR_INVALID, "il testo contiene caratteri "
			     "NUL");
	while (!rc && len && ((*out)[len - 1] == '\n' ||
			      (*out)[len - 1] == '\r'))
		(*out)[--len] = '\0';
	if (!rc && len == 0)
		rc = err_set(e, ERR_INVALID, "il testo e' vuoto");
out:
	if (rc) {
		ops_text_free(*out);
		*out = NULL;
	}
	return rc;
}

void ops_text_free(char *t)
{
	if (!t)
		return;
	sodium_memzero(t, strlen(t));
	free(t);
}

/* ---- typed values ---- */

int ops_date(const struct cli *c, const char *opt, const char *arg,
	     char out[VIEW_DATE_TEXT])
{
	struct err e;

	err_init(&e);
	if (view_date_parse(arg, out, &e) == 0)
		return 0;
	cli_usage(c, "%s: %s", opt, e.msg);
	return -1;
}

int ops_euro(const struct cli *c, const char *opt, const char *arg,
	     int64_t *cents)
{
	struct err e;

	err_init(&e);
	if (view_euro_parse(arg, cents, &e) == 0 && *cents > 0)
		return 0;
	cli_usage(c, "%s: %s", opt, e.msg[0] ? e.msg : "l'importo deve "
		  "essere maggiore di zero");
	return -1;
}

static const struct schema_field *field_of(const char *coll,
					   const char *field)
{
	const struct schema_collection *c = schema_collection(coll);

	return c ? schema_field(c, field) : NULL;
}

/* The first word of label is typed (any case). */
static int first_word(const char *label, const char *typed)
{
	size_t n = strcspn(label, " :,(");

	return n && strlen(typed) == n && strncasecmp(label, typed, n) == 0;
}

int ops_enum(const struct cli *c, const char *opt, const char *coll,
	     const char *field, const struct ops_alias *aliases,
	     const char *typed, const char **value)
{
	const struct schema_field *f = field_of(coll, field);
	char list[512];
	size_t used = 0, hits = 0;

	for (size_t i = 0; aliases && aliases[i].typed; i++)
		if (strcasecmp(aliases[i].typed, typed) == 0) {
			*value = aliases[i].value;
			return 0;
		}
	for (size_t i = 0; f && f->values && f->values[i]; i++) {
		const char *l = f->value_labels ? f->value_labels[i] : NULL;

		if (strcasecmp(f->values[i], typed) == 0 ||
		    (l && strcasecmp(l, typed) == 0)) {
			*value = f->values[i];
			return 0;
		}
	}
	/* The first word of a label only when it names one value: two
	 * labels starting alike ("Mediazione ...") are not guessed. */
	for (size_t i = 0; f && f->values && f->value_labels &&
			   f->values[i]; i++) {
		if (!first_word(f->value_labels[i], typed))
			continue;
		if (hits++ == 0)
			*value = f->values[i];
	}
	if (hits == 1)
		return 0;
	list[0] = '\0';
	for (size_t i = 0; aliases && aliases[i].typed; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s",
				 used ? ", " : "", aliases[i].typed);

		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	for (size_t i = 0; !aliases && f && f->values && f->values[i];
	     i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s",
				 used ? ", " : "", f->values[i]);

		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
	}
	if (hits > 1)
		cli_usage(c, "%s: '%.40s' indica piu' valori del campo %s (%s): "
			  "scrivere il codice o la descrizione intera", opt,
			  typed, field, f && f->label ? f->label : "");
	else
		cli_usage(c, "%s: valore non previsto per il campo %s (%s); "
			  "valori ammessi: %s", opt, field,
			  f && f->label ? f->label : "", list);
	return -1;
}

const char *ops_value_label(const char *coll, const char *field,
			    const char *value)
{
	const struct schema_field *f = field_of(coll, field);

	for (size_t i = 0; value && f && f->values && f->values[i]; i++)
		if (strcmp(f->values[i], value) == 0 && f->value_labels)
			return f->value_labels[i];
	return value ? value : "";
}

const char *ops_field_label(const char *coll, const char *field)
{
	const struct schema_field *f = field_of(coll, field);

	return f && f->label ? f->label : "";
}

void ops_enum_help(FILE *f, const char *coll, const char *field)
{
	const struct schema_field *fd = field_of(coll, field);

	for (size_t i = 0; fd && fd->values && fd->values[i]; i++)
		fprintf(f, "  %-26s %s\n", fd->values[i],
			fd->value_labels ? fd->value_labels[i] : "");
}

/* ---- records ---- */

int ops_load(struct store *s, const char *idtext, const char *coll,
	     struct store_record *r, struct err *e)
{
	const struct schema_collection *want = schema_collection(coll);
	struct id id;
	int rc;

	if (id_parse(&id, idtext) < 0)
		return err_set(e, ERR_INVALID, "'%.40s' non e' un "
			       "identificativo di scheda (32 caratteri "
			       "esadecimali)", idtext);
	rc = store_get(s, &id, r, e);
	if (rc == ERR_NOTFOUND)
		return err_set(e, ERR_NOTFOUND, "nessuna scheda '%s' "
			       "(%s) con questo identificativo su questo "
			       "nodo", coll, want && want->label ? want->label
							  : coll);
	if (rc)
		return rc;
	if (r->deleted || r->coll != want)
		return err_set(e, ERR_NOTFOUND, "l'identificativo non e' di "
			       "una scheda '%s' (%s) in vigore", coll,
			       want && want->label ? want->label : coll);
	return 0;
}

/* ---- refusals in words ---- */

/* The two quoted names after "field '" in msg (the schema's English
 * messages: "field 'f' of 'c' ..."): field and collection.  0 when not
 * found. */
static int names(const char *msg, char *field, char *coll, size_t n)
{
	const char *p = strstr(msg, "field '");
	const char *q;
	size_t k;

	if (!p)
		return 0;
	p += 7;
	q = strchr(p, '\'');
	if (!q || (k = (size_t)(q - p)) >= n)
		return 0;
	memcpy(field, p, k);
	field[k] = '\0';
	p = strchr(q + 1, '\'');
	q = p ? strchr(p + 1, '\'') : NULL;
	if (!q || (k = (size_t)(q - p - 1)) >= n)
		return 0;
	memcpy(coll, p + 1, k);
	coll[k] = '\0';
	return 1;
}

/*
 * The refusals of the domain rules (steps, requirements, caps, quotas:
 * schema/rule.h) come in Italian already, naming the field by name and
 * label ("campo 'f' (label) di 'c': ..."), and are left as they are; what
 * is rewritten here are the schema's checks of a value and of a required
 * field, which stay English below the commands, and an invariant's
 * refusal, given the collection's label.
 */
void ops_explain(struct err *e)
{
	char field[64], coll[64], msg[ERR_MSG_MAX], rule[200];
	const char *m = e->msg, *p;

	if (!strncmp(m, "campo '", 7))
		return;
	if (!names(m, field, coll, sizeof(field))) {
		if (sscanf(m, "'%63[^']': regola non rispettata: %199[^\n]",
			   coll, rule) == 2)
			snprintf(msg, sizeof(msg), "regola della scheda %s "
				 "(%s) non rispettata: %s", coll,
				 schema_collection(coll) &&
				 schema_collection(coll)->label
				 ? schema_collection(coll)->label : coll, rule);
		else if ((p = strstr(m, "missing required field '")) &&
		    sscanf(p, "missing required field '%63[^']' in "
			   "collection '%63[^']'", field, coll) == 2)
			snprintf(msg, sizeof(msg), "manca il campo "
				 "obbligatorio %s (%s) della scheda %s",
				 field, ops_field_label(coll, field), coll);
		else
			return;
		snprintf(e->msg, sizeof(e->msg), "%s", msg);
		return;
	}
	if (strstr(m, "must be one of"))
		snprintf(rule, sizeof(rule), "valore non previsto");
	else if (strstr(m, "required and cannot be null"))
		snprintf(rule, sizeof(rule), "il campo e' obbligatorio");
	else if (strstr(m, " must be "))
		snprintf(rule, sizeof(rule), "valore del tipo sbagliato");
	else
		return;
	snprintf(msg, sizeof(msg), "campo %s (%s) della scheda %s: %s",
		 field, ops_field_label(coll, field), coll, rule);
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
}

int ops_fail(struct err *e, const char *what)
{
	int code = e->code ? e->code : ERR_FAIL;

	ops_explain(e);
	fflush(stdout);
	fprintf(stderr, "presidio: NON FATTO: %s: %s\n", what,
		e->msg[0] ? e->msg : err_code_name(code));
	return cli_exit_code(code);
}

/* ---- subcommands ---- */

int ops_dispatch(struct cli *c, int argc, char **argv, const char *name,
		 const char *usage, const char *values_coll,
		 const char *values_field, const struct ops_sub *subs,
		 size_t n)
{
	c->cmd_name = name;
	c->cmd_usage = usage;
	if (argc < 2)
		return cli_usage(c, "manca il sottocomando");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, stdout);
		if (values_coll)
			ops_enum_help(stdout, values_coll, values_field);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(c, argc - 1, argv + 1);
	return cli_usage(c, "sottocomando sconosciuto '%.40s'", argv[1]);
}

/* ---- shared by the BdI procedure's commands too ---- */

int ops_put(struct store *s, const char *coll, const struct id *id,
	    json_t *fields, struct id *made, struct err *e)
{
	struct store_put_result res;
	int rc;

	if (!fields)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_put(s, coll, id, fields, &res, e);
	json_decref(fields);
	if (!rc && made)
		*made = res.id;
	return rc;
}

void ops_set_text(json_t *o, const char *key, const char *v)
{
	if (o && v)
		json_object_set_new(o, key, json_string(v));
}

const struct ops_alias ops_area_aliases[] = {
	{ "abitativa", "housing" }, { "sociosanitaria", "health_social" },
	{ "integrazione", "integration" }, { "lavoro", "labour" },
	{ "housing", "housing" }, { "health_social", "health_social" },
	{ "integration", "integration" }, { "labour", "labour" },
	{ NULL, NULL }
};

int ops_status(struct cli *c, int argc, char **argv,
	       const struct ops_status_step *st)
{
	char date[VIEW_DATE_TEXT];
	struct store_record r;
	struct store *s = NULL;
	json_t *f;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, st->name, st->usage);
	opt = cli_next_opt(c, argc, argv, "hu:", (const struct option[]){
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END });
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], st->coll, &r, &e);
	if (rc)
		goto out;
	view_date_today(date);
	f = json_pack("{s:s}", "status", st->to);
	if (f && st->date_field)
		json_object_set_new(f, st->date_field, json_string(date));
	rc = ops_put(s, st->coll, &r.id, f, NULL, &e);
	if (rc)
		goto out;
	printf("%s\n", st->done);
	log_info("case.step", "%s: operator %s", st->name, store_operator(s));
out:
	store_record_release(&r);
	store_close(s);
	return rc ? ops_fail(&e, st->fail) : CLI_EXIT_OK;
}
