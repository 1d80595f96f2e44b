/*
 * ui.c - see ui.h.  The server, its routes, the pages and the session
 * endpoints; the API over cases and persons builds on with_session().
 */
#include "node/ui/ui.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/prom.h"
#include "http/http_cookie.h"
#include "http/http_metrics.h"
#include "http/http_route.h"
#include "node/keyslot.h"
#include "node/store.h"
#include "node/store_session.h"
#include "node/ui/ui_int.h"
#include "node/ui/ui_pages.h"
#include "node/ui/ui_session.h"
#include "registry/registry.h"
#include "view/view_metrics.h"
#include "view/view_schema.h"
#include "view/view_status.h"

/* Scripts, styles, images and requests from this origin only; no inline
 * script or style, no plugin, no framing, forms post here only. */
#define UI_CSP                                                                 \
	"default-src 'none'; script-src 'self'; style-src 'self'; "            \
	"img-src 'self'; connect-src 'self'; form-action 'self'; "             \
	"frame-ancestors 'none'; base-uri 'none'"

struct ui {
	struct http_server *http;
	struct ui_sessions *sessions;
	int tls;
	uint64_t idle_s;
	char *dir; /* the node's directory: each sign-in opens its handle */
	char *chart;      /* Chart.js as the system installs it, or NULL */
	size_t chart_len;
	struct http_metrics *metrics; /* requests by endpoint */
	char *metrics_token;          /* /metrics' bearer token, or NULL */
};

/* A monotonic clock in microseconds: how long an answer took. */
static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t now_s(void)
{
	return (uint64_t)time(NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- answers ---- */

void ui_store_error(struct http_response *res, int rc, const struct err *e)
{
	switch (rc) {
	case ERR_INVALID:
		http_response_error(res, 400, "invalid", "%s", e->msg);
		break;
	case ERR_AUTH:
		http_response_error(res, 401, "no_session", "%s", e->msg);
		break;
	case ERR_NOTFOUND:
		http_response_error(res, 404, "not_found", "%s", e->msg);
		break;
	case ERR_CONFLICT:
	case ERR_EXISTS:
		http_response_error(res, 409, "conflict", "%s", e->msg);
		break;
	case ERR_DENIED:
		http_response_error(res, 403, "denied", "%s", e->msg);
		break;
	case ERR_GONE:
		http_response_error(res, 410, "erased", "%s", e->msg);
		break;
	case ERR_BUSY:
		http_response_error(res, 503, "busy", "%s", e->msg);
		break;
	default:
		http_response_error(res, 500, "internal",
				    "errore interno del nodo");
		break;
	}
}

void ui_answer_json(struct http_response *res, int status, json_t *o)
{
	if (!o || http_response_json(res, status, o))
		http_response_error(res, 500, "internal", "memoria esaurita");
	json_decref(o);
}

/* 1 when a write comes from a page of this origin: an Origin header,
 * when the browser sends one, names the Host the request went to. */
static int same_origin(const struct ui *u, const struct http_request *req)
{
	const char *origin = http_request_header(req, "Origin");
	const char *host = http_request_header(req, "Host");
	const char *scheme = u->tls ? "https://" : "http://";
	size_t n = strlen(scheme);

	if (!origin)
		return 1;
	return host && strncmp(origin, scheme, n) == 0 &&
	       strcmp(origin + n, host) == 0;
}

/* The session cookie's value into out; 0, ERR_NOTFOUND (none) or
 * ERR_INVALID (a Cookie header that does not parse). */
static int cookie_of(const struct http_request *req, char out[UI_TOKEN_TEXT])
{
	return http_request_cookie(req, UI_COOKIE, out, UI_TOKEN_TEXT);
}

/* ---- the pages ---- */

static void send_bytes(struct http_response *res, const char *type,
		       const void *data, size_t len)
{
	if (http_response_copy(res, 200, type, data, len))
		http_response_error(res, 500, "internal", "memoria esaurita");
}

static void send_page(struct http_response *res, const char *name)
{
	for (size_t i = 0; i < ui_npages; i++) {
		const struct ui_page *p = &ui_pages[i];

		if (strcmp(p->name, name) == 0) {
			send_bytes(res, p->type, p->data, p->len);
			return;
		}
	}
	http_response_error(res, 404, "not_found", "pagina non trovata");
}

static void route_index(void *ctx, const struct http_request *req,
			struct http_response *res)
{
	(void)ctx;
	(void)req;
	send_page(res, "index.html");
}

static void route_static(void *ctx, const struct http_request *req,
			 struct http_response *res)
{
	const struct ui *u = ctx;
	const char *name = http_route_param(req, "*");

	/* One level of names, no directories. */
	if (!name || !*name || strchr(name, '/'))
		http_response_error(res, 404, "not_found",
				    "pagina non trovata");
	else if (strcmp(name, UI_CHART_NAME) == 0 && u->chart)
		send_bytes(res, "text/javascript; charset=utf-8", u->chart,
			   u->chart_len);
	else
		send_page(res, name);
}

/* ---- sessions ---- */

/*
 * Run fn for req's session with its store handle: 401 without a session
 * (or an expired one), 403 for a write without the session's CSRF token
 * or from another origin.
 */
static void with_session(struct ui *u, const struct http_request *req,
			 struct http_response *res, ui_handler_fn fn)
{
	char cookie[UI_TOKEN_TEXT];
	struct ui_who who;
	struct err e;
	int rc, write = strcmp(req->method, "GET") != 0 &&
			strcmp(req->method, "HEAD") != 0;

	err_init(&e);
	rc = cookie_of(req, cookie);
	if (rc == ERR_INVALID) {
		http_response_error(res, 400, "bad_cookie",
				    "intestazione Cookie non valida");
		return;
	}
	if (rc == 0)
		rc = ui_session_find(u->sessions, cookie, now_s(), &who, &e);
	sodium_memzero(cookie, sizeof(cookie));
	if (rc) {
		http_response_error(res, 401, "no_session", "%s",
				    rc == ERR_AUTH ? e.msg
						   : "accesso richiesto");
		return;
	}
	if (write && (!same_origin(u, req) ||
		      !ui_csrf_ok(&who, http_request_header(req,
							    UI_CSRF_HEADER)))) {
		http_response_error(res, 403, "csrf",
				    "richiesta rifiutata: manca il token "
				    "anti-falsificazione (ricarica la pagina)");
		ui_who_release(&who);
		return;
	}
	fn(u, who.s, &who, req, res);
	ui_who_release(&who);
}

/* {"operator","node","role","csrf","idle_seconds","access"} of who on
 * the node named node, whose role is role; access: what the operator's
 * role reads and writes (view_schema_access_json()). */
static json_t *session_json(const struct ui *u, const char *node,
			    enum store_role role, const struct ui_who *who,
			    enum access_role access)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "operator",
			 who->operator, "node", node, "role",
			 view_status_role_name(role), "csrf", who->csrf,
			 "idle_seconds", (json_int_t)u->idle_s, "access",
			 view_schema_access_json(access));
}

static void session_get(struct ui *u, struct store *s,
			const struct ui_who *who,
			const struct http_request *req,
			struct http_response *res)
{
	(void)req;
	ui_answer_json(res, 200,
		       session_json(u, store_node_name(s), store_role(s), who,
				    store_operator_role(s)));
}

static void route_session_get(void *ctx, const struct http_request *req,
			      struct http_response *res)
{
	with_session(ctx, req, res, session_get);
}

int ui_body_object(const struct http_request *req, json_t **out,
		   struct http_response *res)
{
	const char *type = http_request_header(req, "Content-Type");
	json_t *o;

	*out = NULL;
	/* JSON only: a form of another site cannot send it without the
	 * browser asking this server first (CORS), which it never allows. */
	if (!type || strncmp(type, "application/json", 16) != 0) {
		http_response_error(res, 415, "bad_type",
				    "il corpo deve essere JSON");
		return -1;
	}
	o = req->body ? json_loadb((const char *)req->body, req->body_len,
				   JSON_REJECT_DUPLICATES, NULL)
		      : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		http_response_error(res, 400, "invalid",
				    "il corpo deve essere un oggetto JSON");
		return -1;
	}
	*out = o;
	return 0;
}

int ui_route_id(const struct http_request *req, struct id *id,
		struct http_response *res)
{
	const char *text = http_route_param(req, "id");

	if (text && id_parse(id, text) == 0)
		return 0;
	http_response_error(res, 400, "invalid",
			    "l'identificativo della scheda non e' valido");
	return -1;
}

int ui_body_id(const json_t *body, const char *field, const char *what,
	       struct id *id, struct http_response *res)
{
	const char *text = json_string_value(json_object_get(body, field));

	if (text && id_parse(id, text) == 0)
		return 0;
	http_response_error(res, 400, "invalid", "campo '%s': %s", field,
			    what);
	return -1;
}

/* The sign-in body's fields: 0, or 400 answered naming the field. */
static int signin_fields(const struct http_request *req, json_t **body,
			 const char **op, const char **pass,
			 struct http_response *res)
{
	json_t *o, *jo, *jp;

	if (ui_body_object(req, body, res))
		return -1;
	o = *body;
	jo = json_object_get(o, "operator");
	jp = json_object_get(o, "passphrase");
	if (!json_is_string(jo) || json_string_length(jo) == 0 ||
		   json_string_length(jo) >= KEYSLOT_OPERATOR_MAX) {
		http_response_error(res, 400, "invalid",
				    "campo 'operator': il nome dell'operatore "
				    "e' obbligatorio (al massimo %d caratteri)",
				    KEYSLOT_OPERATOR_MAX - 1);
	} else if (!json_is_string(jp) || json_string_length(jp) == 0 ||
		   json_string_length(jp) > 1024) {
		http_response_error(res, 400, "invalid",
				    "campo 'passphrase': obbligatorio (al "
				    "massimo 1024 byte)");
	} else {
		*op = json_string_value(jo);
		*pass = json_string_value(jp);
		return 0;
	}
	json_decref(o);
	*body = NULL;
	return -1;
}

static void route_signin(void *ctx, const struct http_request *req,
			 struct http_response *res)
{
	struct ui *u = ctx;
	const char *op = NULL, *pass = NULL;
	char cookie[UI_TOKEN_TEXT], csrf[UI_TOKEN_TEXT], retry[24];
	char node[STORE_NAME_MAX], opname[KEYSLOT_OPERATOR_MAX];
	enum store_role role;
	enum access_role access = ACCESS_NONE;
	struct store_session *sess = NULL;
	struct store_secret secret = { 0 };
	struct ui_who who;
	struct store *s;
	json_t *body;
	uint64_t wait;
	struct err e;
	int rc;

	if (!same_origin(u, req)) {
		http_response_error(res, 403, "csrf",
				    "richiesta da un'altra origine rifiutata");
		return;
	}
	if (signin_fields(req, &body, &op, &pass, res))
		return;
	/* For the log: the body (and op with it) is wiped below. */
	snprintf(opname, sizeof(opname), "%s", op);
	err_init(&e);
	wait = ui_pace_wait(u->sessions, op, req->remote, now_ms());
	if (wait) {
		wait = (wait + 999) / 1000; /* whole seconds, rounded up */
		snprintf(retry, sizeof(retry), "%llu",
			 (unsigned long long)wait);
		log_warn("ui.signin_paced", "operator %s from %s", opname,
			 req->remote ? req->remote : "-");
		http_response_error(res, 429, "too_fast",
				    "troppi tentativi: riprova tra %llu "
				    "second%s", (unsigned long long)wait,
				    wait == 1 ? "o" : "i");
		if (http_response_header(res, "Retry-After", retry))
			http_response_error(res, 500, "internal",
					    "memoria esaurita");
		json_decref(body);
		return;
	}
	secret = (struct store_secret){ op, KEYSLOT_PASSPHRASE,
					(const uint8_t *)pass, strlen(pass), NULL };
	/* The handle that checks the passphrase becomes the session's own,
	 * acting for it until it ends; on the hub its writes keep the
	 * registry's scope index, as every hub handle's do
	 * (registry/registry.h). */
	s = NULL;
	rc = store_open(&s, u->dir, &e);
	if (!rc && store_role(s) == STORE_ROLE_HUB)
		registry_attach(s);
	if (!rc) {
		rc = store_session_open(s, &secret, &sess, &e);
		ui_pace_note(u->sessions, op, req->remote, rc == 0, now_ms());
	}
	json_decref(body); /* jwipe: the passphrase goes with it */
	if (!rc)
		rc = store_session_use(s, sess, &e);
	if (!rc) {
		snprintf(node, sizeof(node), "%s", store_node_name(s));
		role = store_role(s);
		access = store_operator_role(s);
		/* The table takes s over, also when it fails. */
		rc = ui_session_start(u->sessions, sess, s, now_s(), cookie,
				      csrf, &e);
		s = NULL;
	}
	store_close(s);
	if (rc) {
		if (sess)
			store_session_lock(sess);
		store_session_unref(sess);
		/* A name no slot has may be anything typed: not logged. */
		if (rc == ERR_AUTH)
			log_warn("ui.signin_refused", "operator %s from %s",
				 opname, req->remote ? req->remote : "-");
		else if (rc == ERR_NOTFOUND)
			log_warn("ui.signin_refused", "unknown operator from %s",
				 req->remote ? req->remote : "-");
		if (rc == ERR_AUTH || rc == ERR_NOTFOUND)
			http_response_error(res, 401, "bad_credentials",
					    "operatore o passphrase non "
					    "validi");
		else
			ui_store_error(res, rc, &e);
		return;
	}
	memset(&who, 0, sizeof(who));
	memcpy(who.csrf, csrf, sizeof(csrf));
	snprintf(who.operator, sizeof(who.operator), "%s",
		 store_session_operator(sess));
	store_session_unref(sess);
	log_info("ui.signin", "operator %s from %s", who.operator,
		 req->remote ? req->remote : "-");
	{
		struct http_cookie ck = { UI_COOKIE, cookie, "/", 0, !u->tls };

		ui_answer_json(res, 200,
			       session_json(u, node, role, &who, access));
		if (http_response_cookie(res, &ck))
			http_response_error(res, 500, "internal",
					    "cookie non impostato");
	}
	sodium_memzero(cookie, sizeof(cookie));
	sodium_memzero(csrf, sizeof(csrf));
	sodium_memzero(&who, sizeof(who));
}

static void signout(struct ui *u, struct store *s, const struct ui_who *who,
		    const struct http_request *req,
		    struct http_response *res)
{
	char cookie[UI_TOKEN_TEXT];

	(void)s;
	if (cookie_of(req, cookie) == 0)
		(void)ui_session_end(u->sessions, cookie);
	log_info("ui.signout", "operator %s", who->operator);
	sodium_memzero(cookie, sizeof(cookie));
	ui_answer_json(res, 200, json_pack("{s:b}", "signed_out", 1));
	if (http_response_cookie_delete(res, UI_COOKIE, "/", !u->tls))
		http_response_error(res, 500, "internal",
				    "cookie non cancellato");
}

static void route_signout(void *ctx, const struct http_request *req,
			  struct http_response *res)
{
	with_session(ctx, req, res, signout);
}

/* ---- the API ---- */

static void status(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res)
{
	struct view_status v;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	(void)req;
	err_init(&e);
	rc = view_status_load(s, &v, &e);
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, view_status_json(&v));
}

static void route_status(void *ctx, const struct http_request *req,
			 struct http_response *res)
{
	with_session(ctx, req, res, status);
}

#define SESSION_ROUTE(name, fn)                                                \
	static void name(void *ctx, const struct http_request *req,            \
			 struct http_response *res)                            \
	{                                                                      \
		with_session(ctx, req, res, fn);                               \
	}
SESSION_ROUTE(route_person_search, ui_person_search)
SESSION_ROUTE(route_audit_list, ui_audit_list)
SESSION_ROUTE(route_record_emergency, ui_record_emergency)
SESSION_ROUTE(route_person_check, ui_person_check)
SESSION_ROUTE(route_person_prepare, ui_person_prepare)
SESSION_ROUTE(route_person_add, ui_person_add)
SESSION_ROUTE(route_record_get, ui_record_get)
SESSION_ROUTE(route_schema_get, ui_schema_get)
SESSION_ROUTE(route_review_list, ui_review_list)
SESSION_ROUTE(route_review_settle, ui_review_settle)
SESSION_ROUTE(route_case_get, ui_case_get)
SESSION_ROUTE(route_case_of_person, ui_case_of_person)
SESSION_ROUTE(route_record_edit, ui_record_edit)
SESSION_ROUTE(route_record_add, ui_record_add)
SESSION_ROUTE(route_home, ui_home)
SESSION_ROUTE(route_sync_now, ui_sync_now)
SESSION_ROUTE(route_dashboard, ui_dashboard)
SESSION_ROUTE(route_allocation_set, ui_allocation_set)
#undef SESSION_ROUTE

#define UI_METRICS_MAX (1u << 20) /* bytes of /metrics */

static const struct http_router ui_router;
/*
 * GET /metrics (Prometheus text): what this server answered, then the
 * store's figures (view/view_metrics.h), read on a handle of its own
 * that unlocks nothing.  No session: a scraper has none; loopback or
 * the bearer token instead (http_metrics_allowed()).
 */
static void route_metrics(void *ctx, const struct http_request *req,
			  struct http_response *res)
{
	struct ui *u = ctx;
	struct store *s = NULL;
	struct buf b;
	struct err e;
	uint8_t *text;
	size_t len, cap;
	int rc;

	if (!http_metrics_allowed(req, u->metrics_token)) {
		http_response_error(res, 403, "forbidden", "metriche solo da "
				    "questo computer, o con il token");
		return;
	}
	err_init(&e);
	buf_init(&b, UI_METRICS_MAX);
	rc = http_metrics_write(u->metrics, &b);
	if (!rc)
		rc = store_open(&s, u->dir, &e);
	if (!rc)
		rc = view_metrics_write(s, &b, (int64_t)now_ms(), &e);
	store_close(s);
	if (rc) {
		buf_release(&b);
		ui_store_error(res, rc, &e);
		return;
	}
	text = buf_steal(&b, &len, &cap);
	http_response_take(res, 200, PROM_CONTENT_TYPE, text, len);
}

static const struct http_route ui_routes[] = {
	{ HTTP_GET | HTTP_HEAD, "/", route_index, NULL, 0, 0 },
	{ HTTP_GET | HTTP_HEAD, "/static/*", route_static, NULL, 0, 0 },
	{ HTTP_GET, "/api/session", route_session_get, NULL, 0, 0 },
	{ HTTP_POST, "/api/session", route_signin, NULL, UI_SIGNIN_MAX_BODY,
	  0 },
	{ HTTP_DELETE, "/api/session", route_signout, NULL, 0, 0 },
	{ HTTP_GET, "/api/status", route_status, NULL, 0, 0 },
	{ HTTP_GET, "/api/home", route_home, NULL, 0, 0 },
	{ HTTP_POST, "/api/sync", route_sync_now, NULL, 0, 0 },
	{ HTTP_GET, "/api/dashboard", route_dashboard, NULL, 0, 0 },
	{ HTTP_POST, "/api/allocation", route_allocation_set, NULL, UI_BODY_MAX,
	  0 },
	{ HTTP_GET, "/api/schema", route_schema_get, NULL, 0, 0 },
	{ HTTP_POST, "/api/persons/search", route_person_search, NULL,
	  UI_BODY_MAX, 0 },
	{ HTTP_GET, "/api/persons/index", route_person_prepare, NULL, 0, 0 },
	{ HTTP_POST, "/api/persons/check", route_person_check, NULL,
	  UI_BODY_MAX, 0 },
	{ HTTP_POST, "/api/persons", route_person_add, NULL, UI_BODY_MAX, 0 },
	{ HTTP_POST, "/api/records", route_record_add, NULL, UI_BODY_MAX, 0 },
	{ HTTP_GET, "/api/records/{id}", route_record_get, NULL, 0, 0 },
	{ HTTP_POST, "/api/records/{id}/emergency", route_record_emergency,
	  NULL, UI_BODY_MAX, 0 },
	{ HTTP_GET, "/api/audit", route_audit_list, NULL, 0, 0 },
	{ HTTP_POST, "/api/records/{id}", route_record_edit, NULL, UI_BODY_MAX,
	  0 },
	{ HTTP_GET, "/api/cases/{id}", route_case_get, NULL, 0, 0 },
	{ HTTP_POST, "/api/cases/of-person", route_case_of_person, NULL,
	  UI_BODY_MAX, 0 },
	{ HTTP_GET, "/api/conflicts", route_review_list, NULL, 0, 0 },
	{ HTTP_POST, "/api/conflicts/settle", route_review_settle, NULL,
	  UI_BODY_MAX, 0 },
	{ HTTP_GET, "/metrics", route_metrics, NULL, 0, 0 },
};

static const struct http_router ui_router = {
	ui_routes, sizeof(ui_routes) / sizeof(ui_routes[0]),
};

static void precheck(void *ctx, const struct http_request *req,
		     size_t *max_body, struct http_response *res)
{
	(void)http_router_headers(&ui_router, ctx, req, max_body, res);
}

/* What every answer carries, whoever asked. */
static void security_headers(struct http_response *res)
{
	static const char *const h[][2] = {
		{ "Content-Security-Policy", UI_CSP },
		{ "X-Frame-Options", "DENY" },
		{ "Referrer-Policy", "no-referrer" },
		{ "Cross-Origin-Opener-Policy", "same-origin" },
		{ "Cross-Origin-Resource-Policy", "same-origin" },
	};

	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (http_response_header(res, h[i][0], h[i][1])) {
			/* Never an answer without them: an error body
			 * instead (which the server sends as it is). */
			http_response_error(res, 500, "internal",
					    "intestazioni non impostate");
			return;
		}
}

static void handle(void *ctx, const struct http_request *req,
		   struct http_response *res)
{
	struct ui *u = ctx;
	const struct http_route *rt;
	uint64_t t0 = mono_us();

	rt = http_router_dispatch(&ui_router, ctx, req, res);
	security_headers(res);
	http_metrics_observe(u->metrics, rt, req->method,
			     res->status ? res->status : 500, mono_us() - t0);
}

/* ---- life ---- */

/* Chart.js, which the dashboard draws with, from the system (Debian's
 * libjs-chart.js): read once, so that it is served as the package
 * installed it.  Without it the dashboard shows its tables only. */
static void load_chart(struct ui *u, const char *path)
{
	struct err e;

	err_init(&e);
	if (http_file_read(path, "Chart.js", UI_CHART_MAX, &u->chart,
			   &u->chart_len, &e))
		log_warn("ui.charts_missing", "no charts on the dashboard: %s", e.msg);
}

int ui_start(struct ui **out, const char *dir, const struct ui_config *cfg,
	     struct err *e)
{
	struct ui *u = calloc(1, sizeof(*u));
	struct http_config hc = cfg->http;
	struct store *probe = NULL;
	int rc = 0;

	*out = NULL;
	if (!u)
		return err_set(e, ERR_NOMEM, "out of memory");
	u->tls = !hc.plain_http;
	u->dir = strdup(dir);
	u->idle_s = cfg->idle_s ? cfg->idle_s : UI_IDLE_DEFAULT_S;
	u->sessions = ui_sessions_new(u->idle_s);
	if (!u->sessions || !u->dir ||
	    (cfg->metrics_token &&
	     !(u->metrics_token = strdup(cfg->metrics_token)))) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = http_metrics_new(&u->metrics, &ui_router, e);
	if (rc)
		goto out;
	/* A node there (migrated, if it must be) before serving: each
	 * sign-in opens its own handle later. */
	rc = store_open(&probe, dir, e);
	store_close(probe);
	if (rc)
		goto out;
	load_chart(u, cfg->chart_js ? cfg->chart_js : UI_CHART_JS);
	hc.headers_fn = precheck;
	hc.headers_ctx = u;
	rc = http_server_start(&u->http, &hc, handle, u, e);
out:
	if (rc) {
		ui_stop(u);
		return rc;
	}
	*out = u;
	return 0;
}

uint16_t ui_port(const struct ui *u)
{
	return http_server_port(u->http);
}

void ui_stop(struct ui *u)
{
	if (!u)
		return;
	http_server_stop(u->http);
	ui_sessions_free(u->sessions);
	http_metrics_free(u->metrics);
	if (u->metrics_token) {
		sodium_memzero(u->metrics_token, strlen(u->metrics_token));
		free(u->metrics_token);
	}
	free(u->chart);
	free(u->dir);
	free(u);
}
