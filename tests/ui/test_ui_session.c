/*
 * test_ui_session.c - the web interface's session table and sign-in
 * pacing (node/ui/ui_session.c): a session found by its cookie token and
 * no other, its CSRF token checked, its end after the idle time, on
 * sign-out and when the table is full of live ones; the store session it
 * holds locked when it ends; failed sign-ins doubling the wait, per
 * operator and per address, a success clearing it.
 */
#include "tests/node/store_fixture.h"

#include "node/store_session.h"
#include "node/ui/ui_session.h"

/* A locked handle of the node in dir, for a session to take over. */
static struct store *handle(void)
{
	struct store *h = NULL;

	return store_open(&h, dir, NULL) ? NULL : h;
}

static struct store_session *session_of(struct store *s)
{
	struct store_secret sec = secret_of("m.rossi");
	struct store_session *sess = NULL;

	return store_session_open(s, &sec, &sess, NULL) ? NULL : sess;
}

static void test_session_found_by_its_token_only(void)
{
	struct store *s = fresh();
	struct store_session *sess = s ? session_of(s) : NULL;
	struct ui_sessions *t = ui_sessions_new(60);
	char cookie[UI_TOKEN_TEXT], csrf[UI_TOKEN_TEXT], other[UI_TOKEN_TEXT];
	struct ui_who who;
	struct err e;

	CHECK(sess && t);
	CHECK_OK(ui_session_start(t, sess, handle(), 1000, cookie, csrf, &e));
	CHECK(strlen(cookie) == 43 && strlen(csrf) == 43);
	CHECK(strcmp(cookie, csrf) != 0);
	CHECK_OK(ui_session_find(t, cookie, 1001, &who, &e));
	CHECK(strcmp(who.operator, "m.rossi") == 0);
	CHECK(who.sess == sess);
	CHECK(who.s != NULL);
	CHECK(ui_csrf_ok(&who, csrf));
	CHECK(!ui_csrf_ok(&who, NULL));
	CHECK(!ui_csrf_ok(&who, ""));
	memcpy(other, csrf, sizeof(other));
	other[5] = other[5] == 'A' ? 'B' : 'A';
	CHECK(!ui_csrf_ok(&who, other));
	ui_who_release(&who);
	/* Another token, or the CSRF token as a cookie, finds nothing. */
	memcpy(other, cookie, sizeof(other));
	other[0] = other[0] == 'A' ? 'B' : 'A';
	CHECK(ui_session_find(t, other, 1001, &who, &e) == ERR_NOTFOUND);
	CHECK(ui_session_find(t, csrf, 1001, &who, &e) == ERR_NOTFOUND);
	/* Sign-out: the store session is locked, the token gone. */
	CHECK_OK(ui_session_end(t, cookie));
	CHECK(store_session_locked(sess));
	CHECK(ui_session_find(t, cookie, 1002, &who, &e) == ERR_NOTFOUND);
	CHECK(ui_session_end(t, cookie) == ERR_NOTFOUND);
	ui_sessions_free(t);
	store_session_unref(sess);
	store_close(s);
}

static void test_session_idle_ends(void)
{
	struct store *s = fresh();
	struct store_session *sess = s ? session_of(s) : NULL;
	struct ui_sessions *t = ui_sessions_new(60);
	char cookie[UI_TOKEN_TEXT], csrf[UI_TOKEN_TEXT];
	struct ui_who who;
	struct err e;

	CHECK(sess && t);
	CHECK_OK(ui_session_start(t, sess, handle(), 1000, cookie, csrf, &e));
	/* Each request restarts the idle time. */
	CHECK_OK(ui_session_find(t, cookie, 1050, &who, &e));
	ui_who_release(&who);
	CHECK_OK(ui_session_find(t, cookie, 1110, &who, &e));
	ui_who_release(&who);
	CHECK(!store_session_locked(sess));
	CHECK(ui_session_find(t, cookie, 1171, &who, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "inattivita") != NULL);
	CHECK(store_session_locked(sess));
	CHECK(ui_session_find(t, cookie, 1172, &who, &e) == ERR_NOTFOUND);
	ui_sessions_free(t);
	store_session_unref(sess);
	store_close(s);
}

/* A full table takes a new session only in place of an idle one (whose
 * store session is locked); freeing the table locks every session it
 * held.  Each sign-in has a store session of its own. */
static void test_sessions_bounded(void)
{
	struct store *s = fresh();
	struct store_session *first = s ? session_of(s) : NULL, *last = NULL;
	struct ui_sessions *t = ui_sessions_new(10);
	char cookie[UI_TOKEN_TEXT], csrf[UI_TOKEN_TEXT];
	struct err e;
	int started = 0;

	CHECK(first && t);
	if (!first || !t)
		return;
	started += ui_session_start(t, first, handle(), 100, cookie, csrf,
				    &e) == 0;
	for (int i = 1; i < UI_SESSIONS_MAX; i++) {
		struct store_session *one = session_of(s);

		started += one && ui_session_start(t, one, handle(), 105,
						   cookie, csrf, &e) == 0;
		store_session_unref(one);
	}
	CHECK(started == UI_SESSIONS_MAX);
	last = session_of(s);
	CHECK(last != NULL);
	CHECK(ui_session_start(t, last, handle(), 108, cookie, csrf, &e) ==
	      ERR_BUSY);
	CHECK(!store_session_locked(first));
	/* At 111 the first (idle since 100) gives its place. */
	CHECK_OK(ui_session_start(t, last, handle(), 111, cookie, csrf, &e));
	CHECK(store_session_locked(first));
	CHECK(!store_session_locked(last));
	ui_sessions_free(t);
	CHECK(store_session_locked(last));
	store_session_unref(first);
	store_session_unref(last);
	store_close(s);
}

static void test_pacing_doubles_and_clears(void)
{
	struct ui_sessions *t = ui_sessions_new(60);

	CHECK(t);
	if (!t)
		return;
	CHECK(ui_pace_wait(t, "ana", "127.0.0.1", 100000) == 0);
	ui_pace_note(t, "ana", "127.0.0.1", 0, 100000);
	/* A whole second, whenever in the second the failure came. */
	CHECK(ui_pace_wait(t, "ana", "127.0.0.1", 100000) == 1000);
	CHECK(ui_pace_wait(t, "ana", "127.0.0.1", 100999) == 1);
	CHECK(ui_pace_wait(t, "ana", "127.0.0.1", 101000) == 0);
	ui_pace_note(t, "ana", "127.0.0.1", 0, 101000);
	CHECK(ui_pace_wait(t, "ana", "127.0.0.1", 101000) == 2000);
	ui_pace_note(t, "ana", "127.0.0.1", 0, 103000);
	CHECK(ui_pace_wait(t, "ana", "127.0.0.1", 103000) == 4000);
	/* The operator is slowed from another address, and the address
	 * for another operator. */
	CHECK(ui_pace_wait(t, "ana", "10.0.0.9", 103000) == 4000);
	CHECK(ui_pace_wait(t, "bruno", "127.0.0.1", 103000) == 4000);
	CHECK(ui_pace_wait(t, "bruno", "10.0.0.9", 103000) == 0);
	/* Capped. */
	for (int i = 0; i < 20; i++)
		ui_pace_note(t, "ana", "127.0.0.1", 0, 200000);
	CHECK(ui_pace_wait(t, "ana", "127.0.0.1", 200000) ==
	      1000 * UI_PACE_MAX_S);
	ui_pace_note(t, "ana", "127.0.0.1", 1, 200000);
	CHECK(ui_pace_wait(t, "ana", "127.0.0.1", 200000) == 0);
	CHECK(ui_pace_wait(t, "ana", "10.0.0.9", 200000) == 0);
	ui_sessions_free(t);
}

TEST_MAIN(T(test_session_found_by_its_token_only), T(test_session_idle_ends),
	  T(test_sessions_bounded), T(test_pacing_doubles_and_clears))
