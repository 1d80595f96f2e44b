/*
 * ui_session.h - the web interface's signed-in operators: a table of
 * browser sessions, each holding one store session (node/store_session.h:
 * the operator's opened key slot), found by the random token of its
 * cookie; and the pacing of sign-in attempts.
 *
 * A browser session is a 32-byte random token (the cookie's value,
 * base64url) and a second one, the CSRF token, that the pages send in a
 * header on every write (a page of another site cannot read it, so it
 * cannot forge a write with the cookie the browser adds).  The table
 * keeps a hash of each cookie token, never the token: a memory dump shows
 * no usable cookie.  A session ends when the operator signs out, after
 * idle_s without a request, or when the table is freed: its store
 * session is locked then (the keys it held wiped, node/store_session.h),
 * and a request still holding it fails with ERR_AUTH.
 *
 * Each session has a store handle of its own, acting for it from sign-in
 * to its end: what a handle builds from the operator's keys (the person
 * index of node/store_search.h, built in a second at a hub's size) then
 * serves every request of the session instead of being rebuilt for each.
 * Requests of one session take its handle in turn (a browser may send
 * several at once); the handle is closed (its keys and index wiped) by
 * whichever lets it go last, the table at the session's end or the
 * request running then.
 *
 * Sign-in pacing: each failed attempt for an operator name, or from an
 * address, doubles the time before the next one is even tried (1 s after
 * the first failure, up to UI_PACE_MAX_S); an attempt before that time is
 * refused with the seconds left, without checking the passphrase.  A
 * success clears the operator's and the address's count.  The check of a
 * passphrase itself costs an Argon2id derivation, so guessing is slow
 * from the first attempt.
 *
 * All functions are safe from any thread (one mutex per table).
 */
#ifndef PRESIDIO_UI_SESSION_H
#define PRESIDIO_UI_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store_session.h"

#define UI_TOKEN_BYTES 32
#define UI_TOKEN_TEXT 44     /* base64url of 32 bytes, no padding, + NUL */
#define UI_SESSIONS_MAX 64   /* browser sessions at once (each with a
				store handle and its person index) */
#define UI_PACE_MAX_S 300    /* the longest wait between failed sign-ins */
#define UI_PACE_KEYS 1024    /* operator names and addresses remembered */

struct ui_sessions;

struct ui_handle;

/* What a request learns of its session (copies, valid after the lock),
 * and the session's store handle, held by this request alone until
 * ui_who_release(). */
struct ui_who {
	struct store_session *sess; /* one ref, the caller's to drop */
	struct store *s;            /* the session's handle, acting for it */
	struct ui_handle *h;        /* internal */
	char csrf[UI_TOKEN_TEXT];
	char operator[64];
};

/* A table whose sessions end after idle_s seconds without a request
 * (>= 1).  NULL when out of memory. */
struct ui_sessions *ui_sessions_new(uint64_t idle_s);

/* End every session (their store sessions locked) and free the table.
 * Accepts NULL. */
void ui_sessions_free(struct ui_sessions *t);

/*
 * Start a session for sess (the table takes its own ref) with store
 * handle s (taken over: closed when the session ends, also on failure),
 * at now (unix seconds): its cookie token into cookie and its CSRF token
 * into csrf.  ERR_BUSY when UI_SESSIONS_MAX are open (after dropping idle
 * ones), ERR_NOMEM.
 */
int ui_session_start(struct ui_sessions *t, struct store_session *sess,
		     struct store *s, uint64_t now, char cookie[UI_TOKEN_TEXT],
		     char csrf[UI_TOKEN_TEXT], struct err *e) ERR_MUST_USE;

/*
 * The session of cookie token at now: 0 with *who filled (a new ref on
 * its store session, its handle taken: this waits while another request
 * of the session holds it) and its idle time restarted; ERR_NOTFOUND when
 * no session has that token, ERR_AUTH when it was idle too long or its
 * store session was locked (it is ended then).
 */
int ui_session_find(struct ui_sessions *t, const char *cookie, uint64_t now,
		    struct ui_who *who, struct err *e) ERR_MUST_USE;

/* End the session of cookie token (its store session locked).  0, or
 * ERR_NOTFOUND. */
int ui_session_end(struct ui_sessions *t, const char *cookie);

/* 1 when the CSRF token a request sent (NULL: none) is the session's. */
int ui_csrf_ok(const struct ui_who *who, const char *sent);

/* Release what ui_session_find() gave (the handle let go). */
void ui_who_release(struct ui_who *who);

/*
 * Sign-in pacing for operator from address at now_ms (milliseconds: a
 * wait of one second is a whole second): 0 when an attempt may be made,
 * else the milliseconds to wait.
 */
uint64_t ui_pace_wait(struct ui_sessions *t, const char *operator,
		      const char *address, uint64_t now_ms);

/* Record an attempt's outcome at now_ms (ok 1: clears both counts). */
void ui_pace_note(struct ui_sessions *t, const char *operator,
		  const char *address, int ok, uint64_t now_ms);

#endif
