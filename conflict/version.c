/* version.c - see version.h. */
#include "conflict/version.h"

#include <stdlib.h>
#include <string.h>

#define VERSION_FORMAT 1

int version_eq(const struct version *a, const struct version *b)
{
	return a->hlc == b->hlc && a->actor == b->actor;
}

void version_set_init(struct version_set *s)
{
	s->e = NULL;
	s->n = 0;
	s->cap = 0;
}

void version_set_release(struct version_set *s)
{
	if (!s)
		return;
	free(s->e);
	version_set_init(s);
}

void version_set_clear(struct version_set *s)
{
	s->n = 0;
}

/* Index of the first entry whose field is >= field. */
static size_t lower_bound(const struct version_set *s, uint16_t field)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->e[mid].field < field)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int reserve(struct version_set *s, size_t want)
{
	struct version_entry *grown;
	size_t cap;

	if (want <= s->cap)
		return 0;
	cap = s->cap ? s->cap * 2 : 16;
	while (cap < want)
		cap *= 2;
	grown = realloc(s->e, cap * sizeof(*grown));
	if (!grown)
		return ERR_NOMEM;
	s->e = grown;
	s->cap = cap;
	return 0;
}

/* Insert (field, v) at position i, keeping the set's order. */
static int insert_at(struct version_set *s, size_t i, uint16_t field,
		     struct version v)
{
	if (s->n >= VERSION_SET_MAX)
		return ERR_INVALID;
	if (reserve(s, s->n + 1))
		return ERR_NOMEM;
	memmove(&s->e[i + 1], &s->e[i], (s->n - i) * sizeof(s->e[0]));
	s->e[i].field = field;
	s->e[i].v = v;
	s->n++;
	return 0;
}

int version_set_put(struct version_set *s, uint16_t field, struct version v)
{
	size_t i = lower_bound(s, field);

	if (i < s->n && s->e[i].field == field) {
		s->e[i].v = v;
		return 0;
	}
	return insert_at(s, i, field, v);
}

int version_set_add(struct version_set *s, uint16_t field, struct version v)
{
	size_t i = lower_bound(s, field);

	for (; i < s->n && s->e[i].field == field; i++)
		if (version_eq(&s->e[i].v, &v))
			return 0;
	return insert_at(s, i, field, v);
}

const struct version *version_set_get(const struct version_set *s,
				      uint16_t field)
{
	size_t i = lower_bound(s, field);

	if (i < s->n && s->e[i].field == field)
		return &s->e[i].v;
	return NULL;
}

int version_set_copy(struct version_set *dst, const struct version_set *src)
{
	if (reserve(dst, src->n))
		return ERR_NOMEM;
	if (src->n)
		memcpy(dst->e, src->e, src->n * sizeof(src->e[0]));
	dst->n = src->n;
	return 0;
}

static size_t put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static int get_varint(const uint8_t *in, size_t len, size_t *pos,
		      uint64_t *v)
{
	uint64_t r = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (*pos >= len)
			return -1;
		b = in[(*pos)++];
		/* One encoding per number, as put_varint() writes it: no
		 * zero group at the end (padding) and no bits beyond 64,
		 * which would wrap to a small, valid-looking value. */
		if (shift == 63 && b > 1)
			return -1;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (b == 0 && shift > 0)
				return -1;
			*v = r;
			return 0;
		}
	}
	return -1;
}

size_t version_set_encoded_max(const struct version_set *s)
{
	/* format + 2 counts + per entry a version and a field reference */
	return 1 + 2 * 10 + s->n * (8 + 5 + 3 + 10);
}

size_t version_set_encode(const struct version_set *s, uint8_t *out)
{
	struct version distinct[VERSION_SET_MAX];
	uint16_t index[VERSION_SET_MAX];
	size_t pos = 0, nver = 0;

	/* Distinct versions in first-seen order.  Most records were written
	 * by one or two changes, so the linear search stays short. */
	for (size_t i = 0; i < s->n; i++) {
		size_t j = 0;

		while (j < nver && !version_eq(&distinct[j], &s->e[i].v))
			j++;
		if (j == nver)
			distinct[nver++] = s->e[i].v;
		index[i] = (uint16_t)j;
	}
	out[pos++] = VERSION_FORMAT;
	pos += put_varint(out + pos, nver);
	for (size_t j = 0; j < nver; j++) {
		for (int b = 0; b < 8; b++)
			out[pos++] = (uint8_t)(distinct[j].hlc >> (8 * b));
		pos += put_varint(out + pos, distinct[j].actor);
	}
	pos += put_varint(out + pos, s->n);
	for (size_t i = 0; i < s->n; i++) {
		pos += put_varint(out + pos, s->e[i].field);
		pos += put_varint(out + pos, index[i]);
	}
	return pos;
}

int version_set_encoded_empty(const uint8_t *in, size_t len)
{
	/* format, no versions, no fields: what encoding an empty set gives,
	 * and the only form of it decode accepts. */
	return len == 3 && in[0] == VERSION_FORMAT && in[1] == 0 && in[2] == 0;
}

int version_set_decode(struct version_set *s, const uint8_t *in, size_t len,
		       struct err *e)
{
	struct version *vers = NULL;
	uint64_t nver, nfield, used = 0;
	size_t pos = 0;
	int rc = ERR_CORRUPT;

	version_set_clear(s);
	if (len < 1 || in[pos++] != VERSION_FORMAT)
		goto out;
	if (get_varint(in, len, &pos, &nver) || nver > VERSION_SET_MAX)
		goto out;
	vers = calloc(nver ? nver : 1, sizeof(*vers));
	if (!vers) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (uint64_t i = 0; i < nver; i++) {
		uint64_t hlc = 0, actor;

		if (len - pos < 8)
			goto out;
		for (int b = 0; b < 8; b++)
			hlc |= (uint64_t)in[pos++] << (8 * b);
		if (get_varint(in, len, &pos, &actor) || actor > UINT32_MAX)
			goto out;
		vers[i].hlc = hlc;
		vers[i].actor = (uint32_t)actor;
	}
	if (get_varint(in, len, &pos, &nfield) || nfield > VERSION_SET_MAX)
		goto out;
	for (uint64_t i = 0; i < nfield; i++) {
		uint64_t field, idx;

		if (get_varint(in, len, &pos, &field) || field > UINT16_MAX ||
		    get_varint(in, len, &pos, &idx) || idx >= nver)
			goto out;
		/* The list as encode writes it: distinct versions in the
		 * order of first use, every one used (below), so that one
		 * set has one encoding. */
		if (idx > used)
			goto out;
		if (idx == used) {
			for (uint64_t j = 0; j < used; j++)
				if (version_eq(&vers[j], &vers[idx]))
					goto out;
			used++;
		}
		/* Fields ascend; one field may repeat (a resolution names
		 * every candidate it supersedes). */
		if (s->n && s->e[s->n - 1].field > field)
			goto out;
		for (size_t k = s->n; k > 0 && s->e[k - 1].field == field; k--)
			if (version_eq(&s->e[k - 1].v, &vers[idx]))
				goto out; /* the same version twice */
		if (reserve(s, s->n + 1)) {
			rc = ERR_NOMEM;
			goto out;
		}
		s->e[s->n].field = (uint16_t)field;
		s->e[s->n].v = vers[idx];
		s->n++;
	}
	if (pos != len || used != nver)
		goto out;
	rc = 0;
out:
	free(vers);
	if (rc) {
		version_set_clear(s);
		if (rc == ERR_NOMEM)
			err_set(e, rc, "out of memory decoding versions");
		else
			err_set(e, rc, "malformed version set");
	}
	return rc;
}
