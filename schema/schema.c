/*
 * schema.c - lookups over the declarations of collections.c, validation of
 * incoming field values, and scopes (the self-check of the declarations
 * is schema_check.c).
 *
 * Collections are few, so finding one is a linear scan of constant
 * tables.  Finding a field by name is not: every write looks up each of
 * its keys several times (validation, authority, merge, rules), and the
 * product's collections have dozens of fields.  A hash table over the
 * fields of the sets in force answers instead (field_index below): built
 * once, before any thread can ask, for the product's sets, and again by
 * schema_register() at start-up; nothing to free.
 *
 * Validation runs on every write that enters a node, local or synced, and
 * its messages reach logs and terminals.  They therefore name the
 * collection and the field, never the value: a bad date of birth must not
 * end up in a log.  A key that is not even a well-formed field name is not
 * echoed either, since a client that puts data where a name belongs would
 * otherwise leak it the same way.  They are in Italian, as the domain's
 * refusals (rule.c), since the operators read them next to the field
 * ("campo 'x' (label) di 'coll': ..."; the web interface finds the field
 * by that opening).
 */
#include "schema/schema_int.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "common/date.h"
#include "common/id.h"

/* The limits as text, for messages that must not drift from them. */
#define STR_(x) #x
#define STR(x) STR_(x)

/* The registered sets (schema_register()); none: the product's. */
static struct schema_set sets[SCHEMA_SETS_MAX];
static size_t nsets;
static int version_set; /* schema_set_version(); 0: the product's */

/* schema_set_previous(); none: unknown here. */
static struct schema_set prev_sets[SCHEMA_SETS_MAX];
static size_t nprev;

void schema_set_previous(const struct schema_set *in, size_t n)
{
	nprev = n <= SCHEMA_SETS_MAX ? n : 0;
	for (size_t k = 0; k < nprev; k++)
		prev_sets[k] = in[k];
}

const struct schema_set *schema_previous(size_t *n)
{
	*n = nprev;
	return nprev ? prev_sets : NULL;
}

int schema_running_version(void)
{
	return version_set ? version_set : schema_version();
}

void schema_set_version(int v)
{
	version_set = v >= 1 ? v : 0;
}

/* The sets in force: registered ones, else the product's. */
static const struct schema_set *sets_in_force(size_t *n)
{
	*n = nsets ? nsets : 1;
	return nsets ? sets : &schema_product;
}

size_t schema_count(void)
{
	size_t n, total = 0;
	const struct schema_set *t = sets_in_force(&n);

	for (size_t k = 0; k < n; k++)
		total += t[k].n;
	return total;
}

const struct schema_collection *schema_at(size_t i)
{
	size_t n;
	const struct schema_set *t = sets_in_force(&n);

	for (size_t k = 0; k < n; k++) {
		if (i < t[k].n)
			return &t[k].colls[i];
		i -= t[k].n;
	}
	return NULL;
}

/* Field lookup by (collection, name): open addressing over every field of
 * the sets in force.  FIELD_SLOTS is at least twice the fields it may hold
 * (FIELD_INDEXED_MAX); sets with more fall back to the linear scan, as do
 * collections outside the sets in force (a previous version's). */
#define FIELD_SLOTS 4096
#define FIELD_INDEXED_MAX (FIELD_SLOTS / 2)

struct field_slot {
	const struct schema_collection *c; /* NULL: empty */
	const struct schema_field *f;
};

static struct field_slot field_index[FIELD_SLOTS];
static int field_index_ok; /* the table covers the sets in force */
static pthread_once_t field_index_once = PTHREAD_ONCE_INIT;

/* FNV-1a over the name, mixed with the collection's address. */
static size_t field_hash(const struct schema_collection *c, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)c;

	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

/* (Re)build the table for the sets in force; single-threaded callers only
 * (field_index_product() through pthread_once, schema_register()). */
static void field_index_build(void)
{
	const struct schema_collection *c;
	size_t total = 0;

	field_index_ok = 0;
	memset(field_index, 0, sizeof(field_index));
	for (size_t i = 0; (c = schema_at(i)) != NULL; i++)
		total += c->nfields;
	if (total > FIELD_INDEXED_MAX)
		return;
	for (size_t i = 0; (c = schema_at(i)) != NULL; i++) {
		for (size_t j = 0; j < c->nfields; j++) {
			size_t k = field_hash(c, c->fields[j].name);

			while (field_index[k % FIELD_SLOTS].c)
				k++;
			field_index[k % FIELD_SLOTS] =
				(struct field_slot){ c, &c->fields[j] };
		}
	}
	field_index_ok = 1;
}

static void field_index_product(void)
{
	if (!nsets)
		field_index_build();
}

/* 1 when c is one of the collections of the sets in force. */
static int in_force(const struct schema_collection *c)
{
	size_t n;
	const struct schema_set *t = sets_in_force(&n);

	for (size_t k = 0; k < n; k++)
		if (c >= t[k].colls && c < t[k].colls + t[k].n)
			return 1;
	return 0;
}

int schema_register(const struct schema_set *in, size_t n, struct err *e)
{
	struct schema_set saved[SCHEMA_SETS_MAX];
	size_t nsaved = nsets;
	int rc;

	if (!in || n == 0 || n > SCHEMA_SETS_MAX)
		return err_set(e, ERR_INVALID, "1 to %d sets of collections",
			       SCHEMA_SETS_MAX);
	memcpy(saved, sets, sizeof(saved));
	memcpy(sets, in, n * sizeof(*in));
	nsets = n;
	field_index_ok = 0;
	rc = schema_check(e);
	if (rc) {
		memcpy(sets, saved, sizeof(saved));
		nsets = nsaved;
	}
	/* The product's table may be built later by the first lookup: a
	 * registration made first leaves that call nothing to do. */
	pthread_once(&field_index_once, field_index_product);
	field_index_build();
	return rc;
}

const struct schema_collection *schema_collection(const char *name)
{
	const struct schema_collection *c;

	if (!name)
		return NULL;
	for (size_t i = 0; (c = schema_at(i)) != NULL; i++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct schema_collection *schema_search_collection(void)
{
	for (size_t i = 0; i < schema_count(); i++)
		if (schema_at(i)->search)
			return schema_at(i);
	return NULL;
}

const struct schema_collection *schema_quota_collection(void)
{
	for (size_t i = 0; i < schema_count(); i++)
		if (schema_at(i)->quota)
			return schema_at(i);
	return NULL;
}

const struct schema_collection *schema_retention_collection(void)
{
	for (size_t i = 0; i < schema_count(); i++)
		if (schema_at(i)->retention && schema_at(i)->scope_subject)
			return schema_at(i);
	return NULL;
}

const struct schema_collection *schema_collection_by_id(uint16_t id)
{
	const struct schema_collection *c;

	for (size_t i = 0; (c = schema_at(i)) != NULL; i++)
		if (c->id == id)
			return c;
	return NULL;
}

const struct schema_field *schema_field(const struct schema_collection *c,
					const char *name)
{
	if (!c || !name)
		return NULL;
	pthread_once(&field_index_once, field_index_product);
	if (field_index_ok && in_force(c)) {
		for (size_t k = field_hash(c, name);; k++) {
			const struct field_slot *sl = &field_index[k % FIELD_SLOTS];

			if (!sl->c)
				return NULL;
			if (sl->c == c && strcmp(sl->f->name, name) == 0)
				return sl->f;
		}
	}
	for (size_t i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i].name, name) == 0)
			return &c->fields[i];
	return NULL;
}

const struct schema_field *schema_field_by_id(const struct schema_collection *c,
					      uint16_t id)
{
	/* Declared ids start at 1, so id 0 (the deletion marker) never
	 * matches; the explicit test keeps that true for a bad table too. */
	if (!c || id == SCHEMA_FIELD_DELETED)
		return NULL;
	for (size_t i = 0; i < c->nfields; i++)
		if (c->fields[i].id == id)
			return &c->fields[i];
	return NULL;
}

int schema_name_ok(const char *s)
{
	size_t n;

	if (!s)
		return 0;
	for (n = 0; s[n]; n++) {
		char ch = s[n];

		if (n >= SCHEMA_NAME_MAX - 1)
			return 0;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '_'))
			return 0;
	}
	return n > 0;
}

/* ---- value checks ---- */

/* 1 when v is a string of at most max bytes (NULs are checked apart). */
static int string_ok(const json_t *v, size_t max)
{
	return json_is_string(v) && json_string_length(v) <= max;
}

/* 1 when v is a string, or an array holding one, with a NUL byte inside:
 * legal in JSON ("\u0000") but cut short by every C string function
 * downstream, so refused rather than silently truncated later. */
static int has_nul(const json_t *v)
{
	if (json_is_string(v))
		return memchr(json_string_value(v), '\0',
			      json_string_length(v)) != NULL;
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			if (has_nul(json_array_get(v, i)))
				return 1;
	}
	return 0;
}

/* Parse n decimal digits at s into *out; 0 when any is not a digit. */
static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* 1 when s starts with a real Gregorian date "YYYY-MM-DD" (year >= 1). */
static int date_prefix_ok(const char *s)
{
	int y, m, d;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return 0;
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= date_days_in_month(y, m);
}

static int date_ok(const char *s)
{
	return strlen(s) == 10 && date_prefix_ok(s);
}

/* "YYYY-MM-DDTHH:MM:SS", then optionally "." and 1 to 9 digits, then "Z".
 * No leap second (60): neither JavaScript nor SQLite can represent it. */
static int datetime_ok(const char *s)
{
	size_t len = strlen(s), pos = 19;
	int hh, mm, ss;

	if (len < 20 || !date_prefix_ok(s) || s[10] != 'T' ||
	    !digits(s + 11, 2, &hh) || s[13] != ':' ||
	    !digits(s + 14, 2, &mm) || s[16] != ':' ||
	    !digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 59)
		return 0;
	if (s[pos] == '.') {
		size_t start = ++pos;

		while (s[pos] >= '0' && s[pos] <= '9')
			pos++;
		if (pos == start || pos - start > 9)
			return 0;
	}
	return s[pos] == 'Z' && pos + 1 == len;
}

static int ref_ok(const char *s)
{
	struct id id;

	/* The zero id is the "no id" value: clearing a reference is null. */
	return id_parse(&id, s) == 0 && !id_is_zero(&id);
}

static int list_ok(const json_t *v)
{
	if (!json_is_array(v) || json_array_size(v) > LIST_MAX)
		return 0;
	for (size_t i = 0; i < json_array_size(v); i++)
		if (!string_ok(json_array_get(v, i), STRING_MAX))
			return 0;
	return 1;
}

static int enum_ok(const struct schema_field *f, const char *s)
{
	for (const char *const *p = f->values; p && *p; p++)
		if (strcmp(*p, s) == 0)
			return 1;
	return 0;
}

/* An ENUM_SET: an array of at most LIST_MAX declared values, none twice
 * (a set: the same value twice would make two equal sets compare
 * different in the merge); received: an item the field does not declare
 * (appended by the next version) is kept as a STRING would be. */
static int enum_set_ok(const struct schema_field *f, const json_t *v,
		       int received)
{
	size_t n = json_array_size(v);

	if (!json_is_array(v) || n > LIST_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_array_get(v, i);

		if (!json_is_string(x) ||
		    !(enum_ok(f, json_string_value(x)) ||
		      (received && string_ok(x, STRING_MAX))))
			return 0;
		for (size_t j = 0; j < i; j++)
			if (json_equal(x, json_array_get(v, j)))
				return 0;
	}
	return 1;
}

/* 1 when the non-null value v fits field f (NULs are checked apart);
 * received: leniently (see schema_validate_received()). */
static int value_ok(const struct schema_field *f, const json_t *v,
		    int received)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	switch (f->type) {
	case SCHEMA_STRING:
		return string_ok(v, STRING_MAX);
	case SCHEMA_TEXT:
		return string_ok(v, TEXT_MAX);
	case SCHEMA_INT:
		return json_is_integer(v);
	case SCHEMA_NUMBER:
		return json_is_number(v);
	case SCHEMA_BOOL:
		return json_is_boolean(v);
	case SCHEMA_DATE:
		return s && date_ok(s);
	case SCHEMA_DATETIME:
		return s && datetime_ok(s);
	case SCHEMA_STRING_LIST:
		return list_ok(v);
	case SCHEMA_ENUM:
		/* A value appended by the next version: kept as a STRING. */
		return s && (enum_ok(f, s) ||
			     (received && string_ok(v, STRING_MAX)));
	case SCHEMA_REF:
		return s && ref_ok(s);
	case SCHEMA_ENUM_SET:
		return enum_set_ok(f, v, received);
	}
	return 0;
}

const char *schema_field_label(const struct schema_field *f)
{
	return f->label && f->label[0] ? f->label : f->name;
}

int schema_personal(const struct schema_collection *c)
{
	for (size_t i = 0; c && i < c->nfields; i++)
		if (c->fields[i].flags & SCHEMA_PERSONAL)
			return 1;
	return 0;
}

/* What a value of f must be, completing "deve essere ...".  ENUM values
 * are listed by the caller. */
static const char *expected(const struct schema_field *f)
{
	switch (f->type) {
	case SCHEMA_STRING:
		return "un testo di al massimo " STR(STRING_MAX) " byte";
	case SCHEMA_TEXT:
		return "un testo di al massimo " STR(TEXT_MAX) " byte";
	case SCHEMA_INT:
		return "un numero intero";
	case SCHEMA_NUMBER:
		return "un numero";
	case SCHEMA_BOOL:
		return "vero o falso (true o false)";
	case SCHEMA_DATE:
		return "una data (AAAA-MM-GG)";
	case SCHEMA_DATETIME:
		return "una data e ora UTC (AAAA-MM-GGTHH:MM:SS[.frazione]Z)";
	case SCHEMA_STRING_LIST:
		return "un elenco di al massimo " STR(LIST_MAX) " testi di al "
		       "massimo " STR(STRING_MAX) " byte";
	case SCHEMA_ENUM:
		return "uno dei valori previsti";
	case SCHEMA_REF:
		return "l'identificativo di una scheda (UUID)";
	case SCHEMA_ENUM_SET:
		return "un elenco di valori previsti, ciascuno una volta sola";
	}
	return "del tipo previsto";
}

/* The allowed values of an ENUM, comma-separated, cut with "..." when
 * they do not fit: declared constants, safe to show. */
static void list_values(const struct schema_field *f, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *const *p = f->values; p && *p; p++) {
		size_t len = strlen(*p);

		/* Room for ", ", this value and a final ", ..." */
		if (n + 2 + len + 6 >= size) {
			memcpy(out + n, n ? ", ..." : "...", n ? 6 : 4);
			return;
		}
		if (n) {
			memcpy(out + n, ", ", 2);
			n += 2;
		}
		memcpy(out + n, *p, len + 1);
		n += len;
	}
}

static int bad_value(const struct schema_collection *c,
		     const struct schema_field *f, struct err *e)
{
	char values[400];

	if (f->type != SCHEMA_ENUM && f->type != SCHEMA_ENUM_SET)
		return err_set(e, ERR_INVALID, "campo '%s' (%s) di '%s': deve "
			       "essere %s", f->name, schema_field_label(f),
			       c->name, expected(f));
	list_values(f, values, sizeof(values));
	if (f->type == SCHEMA_ENUM_SET)
		return err_set(e, ERR_INVALID, "campo '%s' (%s) di '%s': deve "
			       "essere un elenco di al massimo " STR(LIST_MAX)
			       " valori, nessuno ripetuto, ciascuno tra: %s",
			       f->name, schema_field_label(f), c->name, values);
	return err_set(e, ERR_INVALID, "campo '%s' (%s) di '%s': deve essere "
		       "uno tra: %s", f->name, schema_field_label(f), c->name,
		       values);
}

int schema_opaque_ok(const json_t *v)
{
	if (json_is_array(v)) {
		if (json_array_size(v) > LIST_MAX)
			return 0;
		for (size_t i = 0; i < json_array_size(v); i++) {
			const json_t *x = json_array_get(v, i);

			if (json_is_array(x) || json_is_object(x) ||
			    (json_is_string(x) && !string_ok(x, STRING_MAX)))
				return 0;
		}
		return !has_nul(v);
	}
	if (json_is_object(v))
		return 0;
	return !json_is_string(v) || (string_ok(v, TEXT_MAX) && !has_nul(v));
}

int schema_enum_unknown(const struct schema_field *f, const json_t *v)
{
	return f && f->type == SCHEMA_ENUM && json_is_string(v) &&
	       !enum_ok(f, json_string_value(v));
}

/* Check one key and its value; received: leniently (see
 * schema_validate_received()). */
static int check_entry(const struct schema_collection *c, const char *key,
		       const json_t *value, int received, struct err *e)
{
	const struct schema_field *f;

	if (!schema_name_ok(key))
		return err_set(e, ERR_INVALID, "campo sconosciuto nella "
			       "raccolta '%s' (nome non valido, non mostrato)",
			       c->name);
	if (key[0] == '_')
		return err_set(e, ERR_INVALID,
			       "campo '%s' riservato nella raccolta '%s'", key,
			       c->name);
	f = schema_field(c, key);
	if (!f && received) {
		if (!schema_opaque_ok(value))
			return err_set(e, ERR_INVALID, "campo '%s' di '%s' "
				       "(non dichiarato qui): il suo valore "
				       "non si puo' conservare", key, c->name);
		return 0;
	}
	if (!f)
		return err_set(e, ERR_INVALID,
			       "campo '%s' sconosciuto nella raccolta '%s'",
			       key, c->name);
	if (json_is_null(value)) {
		if (f->flags & SCHEMA_REQUIRED)
			return err_set(e, ERR_INVALID, "campo '%s' (%s) di "
				       "'%s': obbligatorio, non puo' essere "
				       "vuoto", f->name, schema_field_label(f),
				       c->name);
		return 0;
	}
	/* Type first: it bounds the size has_nul() walks. */
	if (!value_ok(f, value, received))
		return bad_value(c, f, e);
	if (has_nul(value))
		return err_set(e, ERR_INVALID, "campo '%s' (%s) di '%s': non "
			       "deve contenere caratteri NUL", f->name,
			       schema_field_label(f), c->name);
	return 0;
}

static int validate(const struct schema_collection *c, const json_t *fields,
		    int creating, int received, struct err *e)
{
	const char *key;
	json_t *value;
	int rc;

	if (!c)
		return err_set(e, ERR_INVALID, "raccolta sconosciuta");
	if (!json_is_object(fields))
		return err_set(e, ERR_INVALID,
			       "i campi di '%s' devono essere un oggetto JSON",
			       c->name);
	/* Jansson's iteration API takes a non-const object; it only reads. */
	json_object_foreach((json_t *)fields, key, value) {
		rc = check_entry(c, key, value, received, e);
		if (rc)
			return rc;
	}
	if (!creating)
		return 0;
	for (size_t i = 0; i < c->nfields; i++) {
		const struct schema_field *f = &c->fields[i];

		/* Present values were checked above, null included. */
		if ((f->flags & SCHEMA_REQUIRED) &&
		    !json_object_get(fields, f->name))
			return err_set(e, ERR_INVALID,
				       "campo '%s' (%s) di '%s': obbligatorio",
				       f->name, schema_field_label(f), c->name);
	}
	return 0;
}

int schema_validate(const struct schema_collection *c, const json_t *fields,
		    int creating, struct err *e)
{
	return validate(c, fields, creating, 0, e);
}

int schema_validate_received(const struct schema_collection *c,
			     const json_t *fields, int creating,
			     struct err *e)
{
	return validate(c, fields, creating, 1, e);
}

/* ---- scope ---- */

const struct schema_collection *
schema_parent_of(const struct schema_collection *c)
{
	const struct schema_field *f = schema_field(c, c->parent);

	return f && f->type == SCHEMA_REF ? schema_collection(f->ref) : NULL;
}

enum schema_scope schema_scope_of(const struct schema_collection *c)
{
	if (!c)
		return SCHEMA_SCOPE_SHARED;
	if (c->scope_region)
		return SCHEMA_SCOPE_ROOT;
	if (c->parent)
		return SCHEMA_SCOPE_PARENT;
	for (size_t i = 0; i < schema_count(); i++) {
		const struct schema_collection *o = schema_at(i);
		const struct schema_field *f =
		    o->scope_subject ? schema_field(o, o->scope_subject) : NULL;

		if (f && f->ref && strcmp(f->ref, c->name) == 0)
			return SCHEMA_SCOPE_SUBJECT;
	}
	return SCHEMA_SCOPE_SHARED;
}

const struct schema_collection *
schema_scope_root(const struct schema_collection *c)
{
	for (size_t steps = 0; c && steps <= schema_count(); steps++) {
		if (!c->parent)
			return c;
		c = schema_parent_of(c);
	}
	return NULL;
}
