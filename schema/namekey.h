/*
 * namekey.h - matching keys for persons' names, as pure logic: a name as
 * typed (UTF-8, Latin script, any order of given names and surnames)
 * becomes a bounded set of tokens, each with three keys that person
 * search and the duplicate warning compare.  No I/O, no store, no
 * allocation: keys go into a struct namekey_set the caller owns.
 *
 * The people are third-country nationals whose names reach Latin script
 * through French, English, Portuguese, Italian or Slavic habits, so one
 * name is spelled several ways (Mohamed, Mohammed, Muhammad, Mouhamed).
 * Per token (namekey.c holds the full rules and the variant table):
 *   strict  the normalised spelling: lower case, diacritics removed
 *           (à->a, ç->c, ß->ss, ł->l, ş->s, ŋ->ng), ASCII a-z and 0-9.
 *   loose   a transliteration-tolerant key: known variant names mapped
 *           to one spelling, digraphs folded (ph->f, kh->k, sh/ch/tch->x,
 *           dj->j, c/q->k or s), vowel runs folded to one vowel (the
 *           first vowel of the name keeps a class: a / e,i,y / o,u),
 *           doubled letters collapsed, end-of-word rules (trailing h and
 *           a final vowel dropped, final t->d, final v->f).
 *           "Mohamed", "Muhammad", "Mouhamed" -> "mahamad".
 *   stem    the loose folding without the variant table and without the
 *           end-of-word rules, trailing vowels and h removed: what a
 *           prefix of a name folds to, so "mouham" (stem "maham") finds
 *           "Mohammed".  Compared as a prefix only.
 * A name's keys are a set: matching is order-independent (surname first
 * or given name first), one query token to one name token.
 *
 * What an index keeps: for person search (namekey_match_prefix()), the
 * strict, loose and stem keys of every token of every name variant; for
 * the duplicate warning (namekey_similarity()), the loose keys.  A keyed
 * blind index (HMAC of a key) supports equality only: it can answer
 * loose-key lookups and, if it stores the HMAC of every prefix of the
 * strict, stem and loose keys, prefix search (namekey_token_match()'s
 * four tests); an in-memory index built at unlock can compare the keys
 * directly (a linear scan of 50,000 names takes about 11 ms on one core:
 * sort the keys for anything bigger).
 *
 * Personal data: names and keys are personal data (a key reveals most of
 * the name).  Every buffer of this module that held one is wiped
 * (sodium_memzero) before it is released; the caller wipes its sets with
 * namekey_set_wipe() and never logs a name or a key.  Error messages
 * name the rule broken (length, script, encoding), never the name.
 *
 * Not done here: names in other scripts (Arabic, Cyrillic) are refused,
 * not transliterated; particles are separate tokens ("El Hadj" and
 * "Abdel Kader" are two, "Elhadj" and "Abdelkader" one, and do not
 * match); birth dates and nationality are the caller's to compare.
 */
#ifndef PRESIDIO_SCHEMA_NAMEKEY_H
#define PRESIDIO_SCHEMA_NAMEKEY_H

#include <stddef.h>

#include "common/err.h"

#define NAMEKEY_INPUT_MAX 256 /* bytes of a name as typed, at most */
#define NAMEKEY_TOKEN_MAX 40  /* letters of one token's strict key */
#define NAMEKEY_TOKENS_MAX 12 /* tokens of one name */
/* Bytes of a key buffer with its NUL: folding may double a token (x->ks). */
#define NAMEKEY_KEY_SIZE (2 * NAMEKEY_TOKEN_MAX + 1)

/* The keys of one token, each a NUL-terminated ASCII string. */
struct namekey_token {
	char strict[NAMEKEY_KEY_SIZE]; /* normalised spelling, a-z0-9 */
	char loose[NAMEKEY_KEY_SIZE];  /* folded, variants mapped */
	char stem[NAMEKEY_KEY_SIZE];   /* folded, for prefixes */
};

/* The keys of a name: n tokens in the order typed.  A work area of
 * about 3 KB (the stack of the caller): an index copies the keys it
 * needs, which are a few bytes each.  Wiped by namekey_set_wipe(). */
struct namekey_set {
	size_t n; /* tokens in use in tok */
	struct namekey_token tok[NAMEKEY_TOKENS_MAX];
};

/*
 * The normalised spelling of len bytes at name: lower-case ASCII tokens
 * a-z0-9 separated by one space, diacritics removed, punctuation, hyphens
 * and apostrophes turned into separators (except after a lone n or m:
 * N'Diaye -> ndiaye, M'Bow -> mbow), NUL-terminated in out (cap bytes;
 * the result is never longer than len, so len + 1 is enough).  0;
 * ERR_INVALID for invalid UTF-8, a NUL or control character, a letter
 * outside the Latin script, len over NAMEKEY_INPUT_MAX, no letter at all,
 * or out too small (never truncated).  On failure out holds "" (if cap).
 */
int namekey_normalize(const char *name, size_t len, char *out, size_t cap,
		      struct err *e) ERR_MUST_USE;

/*
 * The keys of len bytes at name into *set (overwritten; set->n tokens).
 * 0; namekey_normalize()'s errors, or ERR_INVALID when a token is over
 * NAMEKEY_TOKEN_MAX letters or there are more than NAMEKEY_TOKENS_MAX
 * tokens (refused whole, never truncated).  On failure *set is wiped,
 * n = 0.  No allocation; temporaries are wiped.
 */
int namekey_tokens(const char *name, size_t len, struct namekey_set *set,
		   struct err *e) ERR_MUST_USE;

/* Wipe every key of *set and set n to 0.  Accepts NULL. */
void namekey_set_wipe(struct namekey_set *set);

/*
 * 1 when query token q matches name token t as a typed prefix: q's
 * strict key is a prefix of t's strict key, or q's loose key equals t's,
 * or q's stem is a prefix of t's stem or loose key.  0 otherwise (also
 * for empty keys).  A one-letter query matches many names: callers may
 * ask for two letters before they search.
 */
int namekey_token_match(const struct namekey_token *q,
			const struct namekey_token *t);

/*
 * namekey_token_match() against keys kept elsewhere (an index keeps the
 * three strings of a token, not a struct namekey_token): strict, loose
 * and stem are t's keys, NUL-terminated.
 */
int namekey_keys_match(const struct namekey_token *q, const char *strict,
		       const char *loose, const char *stem);

/*
 * 1 when every token of query matches (namekey_token_match()) a distinct
 * token of name, in any order ("diallo mam" finds "Mamadou Diallo");
 * 0 otherwise, and for an empty query or a set with n over
 * NAMEKEY_TOKENS_MAX.
 */
int namekey_match_prefix(const struct namekey_set *query,
			 const struct namekey_set *name);

/*
 * How alike two names are, for the duplicate warning: the largest number
 * m of token pairs (one token of a to one of b) with equal loose keys,
 * as 2 m / (a->n + b->n) in thousandths (Dice), rounded down: 1000 for
 * the same tokens in any order, 800 for "Mamadou Diallo" and "Mamadou
 * Saliou Diallo", 500 for "Fatou Sow" and "Fatima Sow", 0 when nothing
 * agrees or a set is empty, NULL or over NAMEKEY_TOKENS_MAX tokens.
 * The caller combines it with what else it knows: e.g. warn at >= 800
 * with the same birth date, or at 1000 when a birth date is missing.
 */
unsigned namekey_similarity(const struct namekey_set *a,
			    const struct namekey_set *b);

#endif
