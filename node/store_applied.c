/*
 * store_applied.c - the records store_apply() wrote in the open
 * transaction, kept open for the next change of the same record.
 *
 * A received batch (a pulled page, a push) often holds several changes of
 * one record: a node back from days offline brings every edit of the
 * cases it worked on.  Each change is merged against the record's merge
 * state, which store_mstate_load() rebuilds by opening and replaying every
 * entry of the record's log; done for each change, a batch costs the
 * square of a record's history.  Kept here instead, the row and merge
 * state written by one change are taken up by the next, and the merge
 * runs on over the batch's changes of the record (issue: apply a batch,
 * not a change at a time).
 *
 * What is kept must be what a load would give.  The state is handed over
 * only when the record's row is still the one the change wrote: the
 * sealed body read back is byte for byte the box it wrote (every write
 * seals afresh, under a new nonce).  Anything else that wrote the record
 * meanwhile (a local edit, a resolution, a purge, an erasure, a rollback
 * to a savepoint) fails that, and the record is loaded again.  Only the
 * count of open conflicts is rewritten alone, when a child's change
 * passes or leaves the record's cap (node/store_rule.h): the kept count
 * is never read, every write counts afresh.  Entries go at commit and rollback, and with the keys:
 * they hold decrypted values (freed through common/jwipe.h, which wipes).
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>

struct applied_entry {
	int used;
	struct id id;
	struct store_row row;
	struct store_mstate *m;
	uint8_t *box; /* the sealed body the write left, owned */
	size_t boxlen;
};

struct store_applied {
	struct applied_entry e[STORE_APPLIED_MAX];
	size_t next; /* slot to reuse when all are taken */
};

static void entry_free(struct applied_entry *a)
{
	if (!a->used)
		return;
	store_row_release(&a->row);
	store_mstate_free(a->m);
	free(a->box);
	memset(a, 0, sizeof(*a));
}

void store_applied_clear(struct store *s)
{
	if (!s->applied)
		return;
	for (size_t i = 0; i < STORE_APPLIED_MAX; i++)
		entry_free(&s->applied->e[i]);
	s->applied->next = 0;
}

void store_applied_free(struct store *s)
{
	store_applied_clear(s);
	free(s->applied);
	s->applied = NULL;
}

static struct applied_entry *find(struct store *s, const struct id *id)
{
	if (!s->applied)
		return NULL;
	for (size_t i = 0; i < STORE_APPLIED_MAX; i++) {
		struct applied_entry *a = &s->applied->e[i];

		if (a->used && memcmp(a->id.b, id->b, ID_BYTES) == 0)
			return a;
	}
	return NULL;
}

/* Is the row of a as the write left it?  (See the top of the file.) */
static int still_written(struct store *s, const struct applied_entry *a,
			 int *same, struct err *e)
{
	struct store_q *st = store_q_fixed(s, STMT_RECORD_FIND,
					   "reading record");

	*same = 0;
	store_q_bind_blob(st, 1, a->id.b, ID_BYTES);
	if (store_q_row(st))
		*same = store_q_col_i64(st, 0) == a->row.rid &&
			store_q_col_int(st, 1) == a->row.coll &&
			store_q_col_int(st, 2) == a->row.deleted &&
			(size_t)store_q_col_bytes(st, 4) == a->boxlen &&
			memcmp(store_q_col_blob(st, 4), a->box,
			       a->boxlen) == 0;
	return store_q_end(st, e);
}

int store_applied_take(struct store *s, const struct id *id,
		       struct store_row *row, struct store_mstate **m,
		       int *taken, struct err *e)
{
	struct applied_entry *a = find(s, id);
	int same = 0;
	int rc;

	*taken = 0;
	if (!a)
		return 0;
	rc = still_written(s, a, &same, e);
	if (!rc && same) {
		*row = a->row;
		*m = a->m;
		a->row.fields = NULL;
		version_set_init(&a->row.vers);
		a->m = NULL;
		*taken = 1;
	}
	entry_free(a);
	return rc;
}

void store_applied_keep(struct store *s, const struct id *id,
			struct store_row *row, struct store_mstate *m,
			uint8_t *box, size_t boxlen)
{
	struct applied_entry *a = find(s, id);

	if (!s->applied)
		s->applied = calloc(1, sizeof(*s->applied));
	if (!s->applied) {
		/* Nothing kept: the next change loads the record. */
		store_row_release(row);
		store_mstate_free(m);
		free(box);
		return;
	}
	if (!a) {
		for (size_t i = 0; !a && i < STORE_APPLIED_MAX; i++)
			if (!s->applied->e[i].used)
				a = &s->applied->e[i];
	}
	if (!a) {
		a = &s->applied->e[s->applied->next];
		s->applied->next = (s->applied->next + 1) % STORE_APPLIED_MAX;
	}
	entry_free(a);
	a->used = 1;
	a->id = *id;
	a->row = *row;
	a->m = m;
	a->box = box;
	a->boxlen = boxlen;
	/* The caller's row no longer owns its values. */
	row->fields = NULL;
	version_set_init(&row->vers);
}
