/*
 * ui.h - the operators' web interface of a node (and of the hub): an
 * HTTP(S) server on http/ serving the pages (node/ui/pages/, embedded in
 * the binary at build by node/ui/embed.sh) and a JSON API under /api/
 * over the store, in Italian, for operators signed in with the
 * passphrase (or key file) of their own key slot.
 *
 * What it owns:
 * - the routes: "/" and "/static/ *" (the pages; no personal data in
 *   them, served to anyone), "/api/session" (sign in, who am I, sign
 *   out), and the API proper, every route of which needs a session;
 * - sessions (ui_session.h): a cookie "presidio_sid" (HttpOnly,
 *   SameSite=Strict, Secure under TLS, no Max-Age: gone with the
 *   browser), a CSRF token that every write must carry in the header
 *   X-Presidio-CSRF, an end after idle_s without a request, and on
 *   sign-out the operator's keys wiped;
 * - store handles: each sign-in opens one, which checks the passphrase
 *   and becomes the session's own, acting for it until it ends
 *   (ui_session.h), so that what is built from the operator's keys (the
 *   person index) serves all its requests; nothing else needs one;
 * - the headers of every answer: a Content-Security-Policy that allows
 *   scripts, styles and connections to this origin only (no inline
 *   script, no framing), no referrer, and no caching (http.h).
 *
 * What it never does: put personal data in a URL (searches and forms go
 * in POST bodies), in a log line, or in an answer to a client without a
 * session; log a passphrase or a token.
 *
 * Errors are JSON {"error":{"code","message"}} with an Italian message
 * naming the field at fault: 400 bad input, 401 no session (or an
 * expired one), 403 a write without its CSRF token, 429 sign-in attempts
 * too fast (Retry-After), 503 too many sessions.
 */
#ifndef PRESIDIO_UI_H
#define PRESIDIO_UI_H

#include <stdint.h>

#include "common/err.h"
#include "http/http.h"

#define UI_COOKIE "presidio_sid"
#define UI_CSRF_HEADER "X-Presidio-CSRF"
#define UI_IDLE_DEFAULT_S (15 * 60)
#define UI_SIGNIN_MAX_BODY 4096
/* Chart.js as Debian's libjs-chart.js installs it, served as
 * /static/chart.js for the hub's dashboard. */
#define UI_CHART_JS "/usr/share/javascript/chart.js/chart.min.js"
#define UI_CHART_NAME "chart.js"
#define UI_CHART_MAX (4u << 20)

struct ui;

struct ui_config {
	struct http_config http; /* address 127.0.0.1 unless given; a
				    non-loopback address needs TLS */
	uint64_t idle_s;         /* session idle limit; 0: the default */
	const char *chart_js;    /* Chart.js's path; NULL: UI_CHART_JS */
	const char *metrics_token; /* /metrics' bearer token for clients not
				      on loopback; NULL: none (copied) */
};

/*
 * Serve the node in dir (opened once here to check it is one) until
 * ui_stop().  ERR_INVALID for a non-loopback address
 * without TLS, else what http_server_start() and store_open() return.
 */
int ui_start(struct ui **out, const char *dir, const struct ui_config *cfg,
	     struct err *e) ERR_MUST_USE;

/* The port it listens on. */
uint16_t ui_port(const struct ui *u);

/* Stop serving, end every session (keys wiped), close the handles.
 * Accepts NULL. */
void ui_stop(struct ui *u);

#endif
