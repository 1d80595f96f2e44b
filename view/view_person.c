/*
 * view_person.c - see view_person.h.
 */
#include "view/view_person.h"

#include <stdlib.h>
#include <string.h>

#include "schema/schema.h"
#include "view/view_input.h"

/* The search declaration and the collection that makes it. */
static const struct schema_search *search_decl(void)
{
	const struct schema_collection *c = schema_search_collection();

	return c ? c->search : NULL;
}

static json_t *text_of(const json_t *fields, const char *name)
{
	const char *v = name ? json_string_value(json_object_get(fields, name))
			     : NULL;

	return json_string(v ? v : "");
}

/* The identifying fields of person id into a new object. */
static int identity(struct store *s, const struct id *id, json_t **out,
		    struct err *e)
{
	const struct schema_search *d = search_decl();
	char idtext[ID_TEXT_LEN + 1];
	struct store_record r;
	json_t *o = NULL, *others;
	int rc;

	*out = NULL;
	if (!d)
		return err_set(e, ERR_NOTFOUND,
			       "no collection declares search");
	store_record_init(&r);
	rc = store_get(s, id, &r, e);
	if (rc)
		goto out;
	id_format(id, idtext);
	others = d->others ? json_object_get(r.fields, d->others) : NULL;
	o = json_pack("{s:s,s:o,s:o,s:o,s:o,s:O}", "id", idtext, "given_name",
		      text_of(r.fields, d->given), "family_name",
		      text_of(r.fields, d->family), "birth_date",
		      text_of(r.fields, d->birth_date), "nationality",
		      text_of(r.fields, d->nationality), "other_names",
		      others ? others : json_null());
	if (!o)
		rc = err_set(e, ERR_NOMEM, "out of memory");
	*out = o;
out:
	store_record_release(&r);
	return rc;
}

int view_person_hit(struct store *s, const struct store_search_hit *h,
		    json_t **out, struct err *e)
{
	int rc = identity(s, &h->id, out, e);

	if (!rc && (json_object_set_new(*out, "score",
					json_integer(h->score)) ||
		    json_object_set_new(*out, "merged",
					json_integer(h->merged)) ||
		    json_object_set_new(*out, "cycle",
					json_boolean(h->cycle))))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int view_person_dup(struct store *s, const struct store_search_dup *d,
		    json_t **out, struct err *e)
{
	static const struct {
		unsigned bit;
		const char *text;
	} why[] = {
		{ STORE_DUP_TAX, "stesso codice fiscale" },
		{ STORE_DUP_NAME, "nomi simili" },
		{ STORE_DUP_BIRTH, "stessa data di nascita" },
		{ STORE_DUP_NATIONALITY, "stessa cittadinanza" },
	};
	json_t *list = json_array();
	int rc = list ? identity(s, &d->id, out, e)
		      : err_set(e, ERR_NOMEM, "out of memory");

	for (size_t i = 0; !rc && i < sizeof(why) / sizeof(why[0]); i++)
		if ((d->why & why[i].bit) &&
		    json_array_append_new(list, json_string(why[i].text)))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	if (!rc && (json_object_set_new(*out, "score",
					json_integer(d->score)) ||
		    json_object_set_new(*out, "similar",
					json_integer(d->similar)) ||
		    json_object_set_new(*out, "strong",
					json_boolean(d->strong)) ||
		    json_object_set(*out, "why", list)))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	json_decref(list);
	if (rc && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int view_person_born(const char *text, struct store_search_query *q,
		     struct err *e)
{
	char iso[VIEW_DATE_TEXT];
	size_t n = text ? strlen(text) : 0;

	if (n == 4 && strspn(text, "0123456789") == 4 && text[0] != '0') {
		q->born_year = (int)strtol(text, NULL, 10);
		q->born_month = q->born_day = 0;
		return 0;
	}
	if (!text || view_date_parse(text, iso, NULL))
		return err_set(e, ERR_INVALID, "nascita: una data (31/12/1990) "
			       "o un anno (1990)");
	q->born_year = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 +
		       (iso[2] - '0') * 10 + (iso[3] - '0');
	q->born_month = (iso[5] - '0') * 10 + (iso[6] - '0');
	q->born_day = (iso[8] - '0') * 10 + (iso[9] - '0');
	return 0;
}
