/*
 * store_box.c - sealed boxes of the store: the associated data that binds
 * a box to its record, collection and versions, and sealing and opening
 * JSON objects with it.  Used by records, the change log and re-keying.
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>

#define AD_DOMAIN "presidio.body.v1"

int store_body_ad(const struct id *id, uint16_t coll, const uint8_t *vers,
		  size_t verslen, const uint8_t *prev, size_t prevlen,
		  uint8_t **ad, size_t *adlen)
{
	size_t n, o = 0;
	uint8_t *p;

	/* Previous versions are bound only when there are some: a create
	 * (none) then shares its record's box, whose associated data has no
	 * previous versions either. */
	if (!prev || version_set_encoded_empty(prev, prevlen))
		prevlen = 0;
	n = sizeof(AD_DOMAIN) + ID_BYTES + 2 + 4 + verslen + 4 + prevlen;
	p = malloc(n);
	if (!p)
		return ERR_NOMEM;
	memcpy(p, AD_DOMAIN, sizeof(AD_DOMAIN)); /* with its NUL */
	o += sizeof(AD_DOMAIN);
	memcpy(p + o, id->b, ID_BYTES);
	o += ID_BYTES;
	p[o++] = (uint8_t)coll;
	p[o++] = (uint8_t)(coll >> 8);
	for (int b = 0; b < 4; b++)
		p[o++] = (uint8_t)(verslen >> (8 * b));
	if (verslen)
		memcpy(p + o, vers, verslen);
	o += verslen;
	for (int b = 0; b < 4; b++)
		p[o++] = (uint8_t)(prevlen >> (8 * b));
	if (prevlen)
		memcpy(p + o, prev, prevlen);
	*ad = p;
	*adlen = n;
	return 0;
}

/* The bytes of a version set, allocated; caller frees. */
int store_encode_vers(const struct version_set *v, uint8_t **out, size_t *len)
{
	*out = malloc(version_set_encoded_max(v));
	if (!*out)
		return ERR_NOMEM;
	*len = version_set_encode(v, *out);
	return 0;
}

int store_seal_json(struct store *s, const struct id *owner, const json_t *obj,
		    const uint8_t *ad, size_t adlen, uint8_t **box,
		    size_t *boxlen, struct err *e)
{
	const unsigned char *key = NULL;
	char stack[4096];
	char *plain = stack;
	size_t n;
	int rc = 0;

	*box = NULL;
	/* The person's key first: it may be made, which can fail. */
	if (owner) {
		rc = store_pkey_get(s, owner, 1, &key, e);
		if (rc)
			return rc;
	}
	n = json_dumpb(obj, stack, sizeof(stack), JSON_COMPACT);
	if (n == 0)
		return err_set(e, ERR_FAIL, "cannot serialise values");
	if (n > sizeof(stack)) {
		plain = malloc(n);
		if (!plain)
			return err_set(e, ERR_NOMEM, "out of memory");
		json_dumpb(obj, plain, n, JSON_COMPACT);
	}
	*boxlen = owner ? seal_owned_len(n) : seal_len(n);
	*box = malloc(*boxlen);
	if (!*box)
		rc = err_set(e, ERR_NOMEM, "out of memory");
	else if (owner ? seal_box_owned(s->sealer, key, owner->b,
					(const uint8_t *)plain, n, ad, adlen,
					*box)
		       : seal_box(s->sealer, (const uint8_t *)plain, n, ad,
				  adlen, *box))
		rc = err_set(e, ERR_FAIL, "no data key loaded");
	sodium_memzero(plain, n < sizeof(stack) ? n : sizeof(stack));
	if (plain != stack) {
		sodium_memzero(plain, n);
		free(plain);
	}
	if (rc) {
		free(*box);
		*box = NULL;
	}
	return rc;
}

/*
 * Open a box into *plain (malloc'd, NUL-terminated, *n bytes; the caller
 * wipes and frees it) and check it holds an object's JSON text by its
 * ends (the store serialised it; parsing, where wanted, tells the rest).
 */
static int open_plain(struct store *s, const struct id *id, const uint8_t *box,
		      size_t boxlen, const uint8_t *ad, size_t adlen,
		      uint8_t **plain, size_t *n, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	const unsigned char *key = NULL;
	struct id owner;
	int rc;

	*plain = NULL;
	*n = 0;
	id_format(id, idtext);
	if (boxlen < SEAL_OVERHEAD)
		return err_set(e, ERR_CORRUPT,
			       "record %s: stored values are truncated",
			       idtext);
	*plain = malloc(boxlen - SEAL_OVERHEAD + 1);
	if (!*plain)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (seal_box_kid(box, boxlen, owner.b)) {
		/* A person's record: under that person's key. */
		rc = store_pkey_get(s, &owner, 0, &key, e);
		if (!rc)
			rc = seal_open_owned(key, box, boxlen, ad, adlen,
					     *plain, n, e);
	} else {
		rc = seal_open(s->sealer, box, boxlen, ad, adlen, *plain, n,
			       e);
	}
	if (rc)
		err_prefix(e, "record %s", idtext);
	else if (*n < 2 || (*plain)[0] != '{' || (*plain)[*n - 1] != '}')
		rc = err_set(e, ERR_CORRUPT,
			     "record %s: stored values are not a JSON object",
			     idtext);
	if (rc) {
		sodium_memzero(*plain, boxlen - SEAL_OVERHEAD + 1);
		free(*plain);
		*plain = NULL;
		return rc;
	}
	(*plain)[*n] = '\0';
	return 0;
}

int store_open_json(struct store *s, const struct id *id, const uint8_t *box,
		    size_t boxlen, const uint8_t *ad, size_t adlen,
		    json_t **out, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	uint8_t *plain = NULL;
	size_t n = 0;
	int rc = open_plain(s, id, box, boxlen, ad, adlen, &plain, &n, e);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_loadb((const char *)plain, n, 0, NULL);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		id_format(id, idtext);
		rc = err_set(e, ERR_CORRUPT,
			     "record %s: stored values are not a JSON object",
			     idtext);
	}
	sodium_memzero(plain, n);
	free(plain);
	return rc;
}

int store_entry_open(struct store *s, const struct id *id, uint16_t coll,
		     const uint8_t *vers, size_t verslen, const uint8_t *prev,
		     size_t prevlen, const uint8_t *box, size_t boxlen,
		     json_t **values, struct err *e)
{
	uint8_t *ad = NULL;
	size_t adlen;
	int rc;

	if (store_body_ad(id, coll, vers, verslen, prev, prevlen, &ad, &adlen))
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_open_json(s, id, box, boxlen, ad, adlen, values, e);
	free(ad);
	return rc;
}

int store_entry_open_text(struct store *s, const struct id *id, uint16_t coll,
			  const uint8_t *vers, size_t verslen,
			  const uint8_t *prev, size_t prevlen,
			  const uint8_t *box, size_t boxlen, const char **text,
			  size_t *len, struct err *e)
{
	uint8_t *ad = NULL, *plain = NULL;
	size_t adlen;
	int rc;

	*text = NULL;
	*len = 0;
	if (store_body_ad(id, coll, vers, verslen, prev, prevlen, &ad, &adlen))
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = open_plain(s, id, box, boxlen, ad, adlen, &plain, len, e);
	free(ad);
	*text = (const char *)plain;
	return rc;
}
