/* next.c - see next.h. */
#include "tests/schema/next.h"

#include <stdlib.h>
#include <string.h>

#define NEXT_MAX 64 /* collections: the product's and one more */

static struct schema_collection colls[NEXT_MAX];
static size_t ncolls;

static const struct schema_field visit_fields[] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = SCHEMA_REQUIRED, .doc = "the case visited",
	  .label = "Caso", .help = "Il caso visitato." },
	{ .name = "date", .id = 2, .type = SCHEMA_DATE,
	  .flags = SCHEMA_REQUIRED, .doc = "day of the visit",
	  .label = "Data", .help = "Il giorno della visita." },
	{ .name = "note", .id = 3, .type = SCHEMA_TEXT,
	  .flags = SCHEMA_PERSONAL, .doc = "what was seen",
	  .label = "Nota", .help = "Che cosa si e' visto." },
};

/* values with `extra` appended (a new NULL-terminated array). */
static const char *const *appended(const char *const *values,
				   const char *extra)
{
	size_t n = 0;
	const char **out;

	while (values && values[n])
		n++;
	out = calloc(n + 2, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = values[i];
	out[n] = extra;
	return out;
}

/* c's fields copied, with room for one more at the end. */
static struct schema_field *fields_copy(const struct schema_collection *c)
{
	struct schema_field *f = calloc(c->nfields + 1, sizeof(*f));

	if (f)
		memcpy(f, c->fields, c->nfields * sizeof(*f));
	return f;
}

static uint16_t next_field_id(const struct schema_collection *c)
{
	uint16_t id = 0;

	for (size_t i = 0; i < c->nfields; i++)
		if (c->fields[i].id > id)
			id = c->fields[i].id;
	return (uint16_t)(id + 1);
}

/* Append value `extra` (and its label) to ENUM or ENUM_SET field `name`
 * of c (copied fields). */
static int append_value(struct schema_collection *c, const char *name,
			const char *extra, const char *label)
{
	struct schema_field *f = fields_copy(c);

	if (!f)
		return -1;
	for (size_t i = 0; i < c->nfields; i++)
		if (!strcmp(f[i].name, name) &&
		    (!(f[i].values = appended(f[i].values, extra)) ||
		     !(f[i].value_labels =
			       appended(f[i].value_labels, label))))
			return -1;
	c->fields = f;
	return 0;
}

static int build(void)
{
	uint16_t top = 0;

	for (size_t i = 0; i < schema_product.n && i + 1 < NEXT_MAX; i++) {
		struct schema_collection *c = &colls[ncolls++];

		*c = schema_product.colls[i];
		if (c->id > top)
			top = c->id;
		if (!strcmp(c->name, "person")) {
			struct schema_field *f = fields_copy(c);

			if (!f)
				return -1;
			f[c->nfields] = (struct schema_field){
				.name = "next_note", .id = next_field_id(c),
				.type = SCHEMA_TEXT, .flags = SCHEMA_PERSONAL,
				.doc = "a field of the next version",
				.label = "Nota della versione successiva",
				.help = "Un campo che solo la versione "
					"successiva conosce."
			};
			c->fields = f;
			c->nfields++;
		} else if (!strcmp(c->name, "case")) {
			if (append_value(c, "stage", "next_archived",
					 "Archiviato"))
				return -1;
		} else if (!strcmp(c->name, "service")) {
			if (append_value(c, "service_type", "next_service",
					 "Servizio nuovo"))
				return -1;
		} else if (!strcmp(c->name, "assessment")) {
			if (append_value(c, "indicators", "next_indicator",
					 "Indice nuovo"))
				return -1;
		}
	}
	colls[ncolls++] = (struct schema_collection){
		.name = "next_visit", .id = (uint16_t)(top + 1),
		.kind = SCHEMA_RECORDS, .parent = "case_id",
		.fields = visit_fields,
		.nfields = sizeof(visit_fields) / sizeof(visit_fields[0]),
		.doc = "a collection of the next version, child of case",
		.label = "Visita", .help = "Una visita (solo la versione "
					   "successiva la conosce)."
	};
	return 0;
}

const struct schema_collection *test_next_collections(size_t *n)
{
	/* Called from the registration before main() and from tests on one
	 * thread: no lock.  Built once; its tables live as long as the
	 * process (the registered schema borrows them). */
	if (!ncolls && build()) {
		ncolls = 0;
		*n = 0;
		return NULL;
	}
	*n = ncolls;
	return colls;
}

const struct schema_collection *test_next_collection(const char *name)
{
	size_t n;
	const struct schema_collection *c = test_next_collections(&n);

	for (size_t i = 0; c && i < n; i++)
		if (!strcmp(c[i].name, name))
			return &c[i];
	return NULL;
}
