/*
 * view_export.c - a collection as CSV for a spreadsheet.  See
 * view_export.h.
 */
#include "view/view_export.h"

#include <stdio.h>
#include <string.h>

#include "node/store_audit.h"
#include "view/view_input.h"

#define SEP ";"

struct exp {
	const struct schema_collection *c;
	struct buf *out;
	size_t rows;
	int rc;
};

static int put(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* A text cell: quoted when needed, a formula's first character made
 * harmless. */
static int cell(struct buf *b, const char *s)
{
	int rc = 0;

	if (*s && strchr("=+-@", *s) && !(s[0] == '-' && s[1] >= '0' &&
					    s[1] <= '9'))
		rc = put(b, "'");
	if (rc || !strpbrk(s, ";\"\r\n"))
		return rc ? rc : put(b, s);
	rc = put(b, "\"");
	for (; *s && !rc; s++)
		rc = *s == '"' ? put(b, "\"\"") : buf_append(b, s, 1);
	return rc ? rc : put(b, "\"");
}

static const char *label_of(const struct schema_field *f, const char *v)
{
	for (size_t i = 0; v && f->values && f->values[i]; i++)
		if (strcmp(f->values[i], v) == 0 && f->value_labels)
			return f->value_labels[i];
	return v ? v : "";
}

static int value(struct buf *b, const struct schema_field *f,
		 const json_t *v)
{
	char t[64];
	size_t i;
	json_t *x;
	int rc = 0;

	if (!v || json_is_null(v))
		return 0;
	switch (f->type) {
	case SCHEMA_ENUM:
		return cell(b, label_of(f, json_string_value(v)));
	case SCHEMA_DATE:
		view_date_format(json_string_value(v), t);
		return cell(b, t);
	case SCHEMA_BOOL:
		return put(b, json_is_true(v) ? "si'" : "no");
	case SCHEMA_INT:
		if (strstr(f->name, "_cents")) {
			view_euro_format((int64_t)json_integer_value(v), t);
			return cell(b, t);
		}
		snprintf(t, sizeof(t), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return put(b, t);
	case SCHEMA_NUMBER:
		snprintf(t, sizeof(t), "%g", json_number_value(v));
		if (strchr(t, '.'))
			*strchr(t, '.') = ',';
		return put(b, t);
	case SCHEMA_STRING_LIST:
	case SCHEMA_ENUM_SET: {
		struct buf one;

		buf_init(&one, b->max);
		json_array_foreach(v, i, x) {
			const char *s = json_string_value(x);

			if (f->type == SCHEMA_ENUM_SET)
				s = label_of(f, s);
			rc = (i ? put(&one, ", ") : 0) ||
			     put(&one, s ? s : "");
			if (rc)
				break;
		}
		if (!rc)
			rc = buf_append(&one, "", 1);
		if (!rc)
			rc = cell(b, (const char *)one.data);
		buf_release(&one);
		return rc;
	}
	default:
		return json_is_string(v) ? cell(b, json_string_value(v)) : 0;
	}
}

static int row(void *ctx, const struct store_record *r)
{
	struct exp *x = ctx;
	char idtext[ID_TEXT_LEN + 1];
	int rc;

	id_format(&r->id, idtext);
	rc = put(x->out, idtext);
	for (size_t i = 0; !rc && i < x->c->nfields; i++) {
		const struct schema_field *f = &x->c->fields[i];

		rc = put(x->out, SEP);
		if (!rc)
			rc = value(x->out, f, json_object_get(r->fields,
							      f->name));
	}
	if (!rc)
		rc = put(x->out, "\r\n");
	x->rows++;
	if (rc)
		x->rc = rc;
	return rc;
}

int view_export_csv(struct store *s, const char *coll, struct buf *out,
		    size_t *rows, struct err *e)
{
	struct exp x = { schema_collection(coll), out, 0, 0 };
	int rc;

	*rows = 0;
	if (!x.c)
		return err_set(e, ERR_NOTFOUND, "collezione sconosciuta "
			       "(presidio schema le elenca)");
	rc = put(out, "Identificativo");
	for (size_t i = 0; !rc && i < x.c->nfields; i++) {
		const struct schema_field *f = &x.c->fields[i];
		const char *l = f->label ? f->label : f->name;
		char head[128];

		/* Cents are written as euro: the header says so. */
		if (strstr(f->name, "_cents")) {
			size_t n = strcspn(l, "(");

			while (n && l[n - 1] == ' ')
				n--;
			snprintf(head, sizeof(head), "%.*s (euro)", (int)n, l);
			l = head;
		}
		rc = put(out, SEP);
		if (!rc)
			rc = cell(out, l);
	}
	if (!rc)
		rc = put(out, "\r\n");
	if (!rc)
		rc = store_list(s, coll, 0, row, &x, e);
	if (x.rc || (rc && rc != x.rc && !e->code))
		return err_set(e, x.rc ? x.rc : rc, "export troppo grande "
			       "o memoria esaurita");
	/* Nothing is written out before the export is in the trail. */
	if (!rc && schema_personal(x.c))
		rc = store_audit_note(s, "export", x.c, NULL, x.rows,
				      STORE_AUDIT_REPORT, e);
	*rows = x.rows;
	return rc;
}
