/*
 * ui_session.c - see ui_session.h.
 *
 * Tables are small (UI_SESSIONS_MAX, UI_PACE_KEYS) and searched linearly
 * under one mutex: a request finds its session in microseconds, next to
 * the milliseconds of its store work.
 */
#include "node/ui/ui_session.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A session's store handle: used by one request at a time (use), freed
 * by the last of the table and the requests to let it go (refs). */
struct ui_handle {
	pthread_mutex_t use;
	struct store *s;
	atomic_int refs;
};

struct slot {
	int used;
	uint8_t hash[crypto_generichash_BYTES]; /* of the cookie token */
	char csrf[UI_TOKEN_TEXT];
	struct store_session *sess;
	struct ui_handle *h;
	uint64_t last; /* unix seconds of the last request */
};

struct pace {
	uint8_t key[16]; /* hash of "o:NAME" or "a:ADDRESS"; zero: free */
	unsigned fails;
	uint64_t next_ok; /* unix milliseconds */
	uint64_t seen;
};

struct ui_sessions {
	pthread_mutex_t lock;
	uint64_t idle_s;
	struct slot slots[UI_SESSIONS_MAX];
	struct pace pace[UI_PACE_KEYS];
};

struct ui_sessions *ui_sessions_new(uint64_t idle_s)
{
	struct ui_sessions *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->idle_s = idle_s ? idle_s : 1;
	return t;
}

static struct ui_handle *handle_new(struct store *s)
{
	struct ui_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->use, NULL);
	h->s = s;
	atomic_init(&h->refs, 1);
	return h;
}

/* Drop one ref; the last closes the handle (its keys and index wiped). */
static void handle_unref(struct ui_handle *h)
{
	if (!h || atomic_fetch_sub(&h->refs, 1) != 1)
		return;
	store_close(h->s);
	pthread_mutex_destroy(&h->use);
	free(h);
}

/* End slot sl (the caller holds the lock): the store session locked at
 * once, so a request holding the handle now fails its next use. */
static void slot_end(struct slot *sl)
{
	store_session_lock(sl->sess);
	store_session_unref(sl->sess);
	handle_unref(sl->h);
	sodium_memzero(sl, sizeof(*sl));
}

void ui_sessions_free(struct ui_sessions *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < UI_SESSIONS_MAX; i++)
		if (t->slots[i].used)
			slot_end(&t->slots[i]);
	pthread_mutex_destroy(&t->lock);
	sodium_memzero(t, sizeof(*t));
	free(t);
}

static void token_hash(const char *token, uint8_t out[crypto_generichash_BYTES])
{
	crypto_generichash(out, crypto_generichash_BYTES,
			   (const unsigned char *)token, strlen(token), NULL,
			   0);
}

static void token_new(char out[UI_TOKEN_TEXT])
{
	uint8_t b[UI_TOKEN_BYTES];

	randombytes_buf(b, sizeof(b));
	sodium_bin2base64(out, UI_TOKEN_TEXT, b, sizeof(b),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(b, sizeof(b));
}

/* The slot of token, or NULL (the caller holds the lock). */
static struct slot *slot_of(struct ui_sessions *t, const char *token)
{
	uint8_t h[crypto_generichash_BYTES];
	struct slot *found = NULL;

	token_hash(token, h);
	for (size_t i = 0; i < UI_SESSIONS_MAX; i++)
		if (t->slots[i].used &&
		    sodium_memcmp(t->slots[i].hash, h, sizeof(h)) == 0)
			found = &t->slots[i];
	return found;
}

int ui_session_start(struct ui_sessions *t, struct store_session *sess,
		     struct store *s, uint64_t now, char cookie[UI_TOKEN_TEXT],
		     char csrf[UI_TOKEN_TEXT], struct err *e)
{
	struct slot *free_slot = NULL;
	struct ui_handle *h = handle_new(s);

	if (!h) {
		store_close(s);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < UI_SESSIONS_MAX; i++) {
		struct slot *sl = &t->slots[i];

		if (sl->used && (now > sl->last + t->idle_s ||
				 store_session_locked(sl->sess)))
			slot_end(sl);
		if (!sl->used && !free_slot)
			free_slot = sl;
	}
	if (free_slot) {
		token_new(cookie);
		token_new(csrf);
		free_slot->used = 1;
		token_hash(cookie, free_slot->hash);
		memcpy(free_slot->csrf, csrf, UI_TOKEN_TEXT);
		free_slot->sess = store_session_ref(sess);
		free_slot->h = h;
		free_slot->last = now;
	}
	pthread_mutex_unlock(&t->lock);
	if (!free_slot) {
		handle_unref(h);
		return err_set(e, ERR_BUSY, "troppe sessioni aperte su questo "
			       "nodo: riprova tra qualche minuto");
	}
	return 0;
}

int ui_session_find(struct ui_sessions *t, const char *cookie, uint64_t now,
		    struct ui_who *who, struct err *e)
{
	struct slot *sl;
	int rc = 0;

	memset(who, 0, sizeof(*who));
	pthread_mutex_lock(&t->lock);
	sl = slot_of(t, cookie);
	if (!sl) {
		rc = err_set(e, ERR_NOTFOUND, "sessione non trovata: accedi");
	} else if (now > sl->last + t->idle_s ||
		   store_session_locked(sl->sess)) {
		slot_end(sl);
		rc = err_set(e, ERR_AUTH, "sessione scaduta per inattivita': "
			     "accedi di nuovo");
	} else {
		sl->last = now;
		who->sess = store_session_ref(sl->sess);
		who->h = sl->h;
		atomic_fetch_add(&who->h->refs, 1);
		memcpy(who->csrf, sl->csrf, UI_TOKEN_TEXT);
		snprintf(who->operator, sizeof(who->operator), "%s",
			 store_session_operator(sl->sess));
	}
	pthread_mutex_unlock(&t->lock);
	/* Outside the table's lock: waiting for the session's other request
	 * must not hold up everyone else's. */
	if (!rc) {
		pthread_mutex_lock(&who->h->use);
		who->s = who->h->s;
	}
	return rc;
}

int ui_session_end(struct ui_sessions *t, const char *cookie)
{
	struct slot *sl;

	pthread_mutex_lock(&t->lock);
	sl = slot_of(t, cookie);
	if (sl)
		slot_end(sl);
	pthread_mutex_unlock(&t->lock);
	return sl ? 0 : ERR_NOTFOUND;
}

int ui_csrf_ok(const struct ui_who *who, const char *sent)
{
	size_t n = strlen(who->csrf);

	return sent && n > 0 && strlen(sent) == n &&
	       sodium_memcmp(who->csrf, sent, n) == 0;
}

void ui_who_release(struct ui_who *who)
{
	if (who->h) {
		pthread_mutex_unlock(&who->h->use);
		handle_unref(who->h);
	}
	store_session_unref(who->sess);
	sodium_memzero(who, sizeof(*who));
}

/* ---- pacing ---- */

static void pace_key(const char *kind, const char *what, uint8_t out[16])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const unsigned char *)kind, 2);
	crypto_generichash_update(&st, (const unsigned char *)what,
				  strlen(what));
	crypto_generichash_final(&st, out, 16);
	/* An all-zero key marks a free entry. */
	out[0] |= 1;
}

/* The entry of key; with take, a new one (the least recently seen
 * replaced) when none.  The caller holds the lock. */
static struct pace *pace_of(struct ui_sessions *t, const uint8_t key[16],
			    int take, uint64_t now)
{
	struct pace *old = &t->pace[0];

	for (size_t i = 0; i < UI_PACE_KEYS; i++) {
		struct pace *p = &t->pace[i];

		if (memcmp(p->key, key, 16) == 0)
			return p;
		if (p->seen < old->seen)
			old = p;
	}
	if (!take)
		return NULL;
	memset(old, 0, sizeof(*old));
	memcpy(old->key, key, 16);
	old->seen = now;
	return old;
}

uint64_t ui_pace_wait(struct ui_sessions *t, const char *operator,
		      const char *address, uint64_t now)
{
	uint8_t ko[16], ka[16];
	uint64_t wait = 0;

	pace_key("o:", operator ? operator : "", ko);
	pace_key("a:", address ? address : "", ka);
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < 2; i++) {
		const struct pace *p = pace_of(t, i ? ka : ko, 0, now);

		if (p && p->next_ok > now && p->next_ok - now > wait)
			wait = p->next_ok - now;
	}
	pthread_mutex_unlock(&t->lock);
	return wait;
}

void ui_pace_note(struct ui_sessions *t, const char *operator,
		  const char *address, int ok, uint64_t now)
{
	uint8_t ko[16], ka[16];

	pace_key("o:", operator ? operator : "", ko);
	pace_key("a:", address ? address : "", ka);
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < 2; i++) {
		struct pace *p = pace_of(t, i ? ka : ko, !ok, now);
		uint64_t wait;

		if (!p)
			continue;
		if (ok) {
			memset(p, 0, sizeof(*p));
			continue;
		}
		p->fails++;
		p->seen = now;
		wait = p->fails >= 10 ? UI_PACE_MAX_S
				      : (uint64_t)1 << (p->fails - 1);
		p->next_ok = now + 1000 * (wait < UI_PACE_MAX_S
						   ? wait
						   : UI_PACE_MAX_S);
	}
	pthread_mutex_unlock(&t->lock);
}
