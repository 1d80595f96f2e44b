/*
 * merge_unknown.c - the fields a record holds that its collection does not
 * declare in this build (fields of the next schema version, merge.h): the
 * ids the record gives them, and whether a value of a declared ENUM is
 * one this build does not know.  Part of the merge (merge_int.h).
 */
#include "conflict/merge_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct unknown_field *unknown_by_name(const struct merge_record *r,
						   const char *name)
{
	for (size_t i = 0; i < r->nunk; i++)
		if (!strcmp(r->unk[i].name, name))
			return &r->unk[i];
	return NULL;
}

static const struct unknown_field *unknown_by_id(const struct merge_record *r,
						 uint16_t id)
{
	for (size_t i = 0; id >= MERGE_UNKNOWN_FIRST && i < r->nunk; i++)
		if (r->unk[i].id == id)
			return &r->unk[i];
	return NULL;
}

uint16_t merge_unknown_id(struct merge_record *r, const char *name)
{
	const struct unknown_field *u = unknown_by_name(r, name);
	struct unknown_field *grown;
	uint32_t h = 2166136261u;
	uint16_t id;

	if (u)
		return u->id;
	if (r->nunk >= MERGE_UNKNOWN_FIRST)
		return 0;
	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	id = (uint16_t)(MERGE_UNKNOWN_FIRST | (h & 0x7fff));
	while (unknown_by_id(r, id))
		id = (uint16_t)(MERGE_UNKNOWN_FIRST | ((id + 1) & 0x7fff));
	grown = realloc(r->unk, (r->nunk + 1) * sizeof(*grown));
	if (!grown)
		return 0;
	r->unk = grown;
	snprintf(r->unk[r->nunk].name, sizeof(r->unk[r->nunk].name), "%s",
		 name);
	r->unk[r->nunk].id = id;
	return r->unk[r->nunk++].id;
}

int merge_field_id(const struct merge_record *r, const char *name)
{
	const struct schema_field *f;
	const struct unknown_field *u;

	if (!name)
		return -1;
	if (!strcmp(name, SCHEMA_FIELD_DELETED_NAME))
		return SCHEMA_FIELD_DELETED;
	f = schema_field(r->coll, name);
	if (f)
		return f->id;
	u = unknown_by_name(r, name);
	return u ? u->id : -1;
}

size_t merge_unknown_ids(const struct merge_record *r, uint16_t *out,
			 size_t max)
{
	for (size_t i = 0; i < r->nunk && i < max; i++)
		out[i] = r->unk[i].id;
	return r->nunk;
}

int merge_value_unknown(const struct schema_field *f, const json_t *v)
{
	return schema_enum_unknown(f, v);
}

/* Position of a value in a monotonic field's procedure order, -1 when it
 * is not one of them (null included). */
static int state_index(const struct schema_field *f, const json_t *value)
{
	const char *s = json_string_value(value);

	if (!s || !f->values)
		return -1;
	for (int i = 0; f->values[i]; i++)
		if (!strcmp(f->values[i], s))
			return i;
	return -1;
}

/* Rank of a value: a value this build does not declare comes after every
 * declared one (values are only appended: schema.h), null before all. */
static int state_rank(const struct schema_field *f, const json_t *value)
{
	int i = state_index(f, value);
	int n = 0;

	if (i >= 0 || !merge_value_unknown(f, value))
		return i;
	while (f->values[n])
		n++;
	return n;
}

int merge_state_cmp(const struct schema_field *f, const json_t *a,
		    const json_t *b)
{
	int ra = state_rank(f, a), rb = state_rank(f, b);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	/* Two values this build does not declare: by their text. */
	if (merge_value_unknown(f, a) && merge_value_unknown(f, b))
		return strcmp(json_string_value(a), json_string_value(b));
	return 0;
}
