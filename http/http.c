/* http.c - see http.h. */
#include "http/http.h"
#include "http/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"

/*
 * GnuTLS priorities: TLS 1.3 and 1.2 only; AEAD ciphers; (EC)DHE key
 * exchange only, for forward secrecy; the server's order wins.
 */
static char tls_priorities[] =
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
	":-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305"
	":-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA"
	":%SERVER_PRECEDENCE";

/* Sent when not even an error body could be allocated. */
static char oom_body[] =
	"{\"error\":{\"code\":\"nomem\",\"message\":\"out of memory\"}}";
static char no_body[] = "";

#define ALLOWED_METHODS "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS"
#define BODY_START      (16u << 10) /* first allocation for a body */

struct http_server {
	struct MHD_Daemon *daemon; /* NULL until started */
	http_handler_fn fn;        /* the handler and its context */
	void *ctx;
	size_t max_body;           /* bytes of request body, at most */
	uint16_t port;             /* the bound port */
	char *cert;                /* PEM chain, NUL-terminated, malloc'd */
	char *key;                 /* PEM key, NUL-terminated, sodium_malloc */
	size_t key_size;           /* bytes allocated at key */
	pthread_mutex_t lock;      /* guards starting and start_msg */
	int starting;              /* 1 while MHD_start_daemon() runs */
	char start_msg[256];       /* libmicrohttpd's first message then */
	http_headers_fn headers_fn; /* checks before a body; may be NULL */
	void *headers_ctx;
	struct http_guard guard;   /* deadlines, body budget (http_guard.c) */
};

/* One request being read (libmicrohttpd's per-request pointer). */
struct req_state {
	struct buf body;   /* body so far, bounded by this request's
			      max_body (its announced length when given);
			      wiped whenever it moves or goes */
	size_t want;       /* Content-Length when given, else 0 */
	size_t total;      /* body bytes received, kept or not */
	size_t max_body;   /* this request's bound (headers_fn may lower) */
	size_t reserved;   /* bytes of s->body_budget held for it */
	int too_big;       /* the body passed max_body */
	int over_budget;   /* the body did not fit the budget: 503 */
	int answered;      /* a response is queued already (early error) */
	char remote[INET6_ADDRSTRLEN]; /* peer address as text */
};

/* A response body handed to libmicrohttpd, wiped when it is done. */
struct owned_body {
	uint8_t *buf;
	size_t len;
};

/* ---- sending ---- */

static void owned_free(void *cls)
{
	struct owned_body *o = cls;

	http_body_free(o->buf, o->len);
	free(o);
}

/* The MHD response for res's body; takes the body.  NULL on ENOMEM. */
static struct MHD_Response *mhd_body(struct http_response *res)
{
	struct MHD_Response *r;
	struct owned_body *o;

	if (res->status >= 400 && !res->body_len) {
		/* Only after an allocation failure (see
		 * http_response_check()). */
		snprintf(res->content_type, sizeof(res->content_type), "%s",
			 HTTP_JSON_TYPE);
		return libmhd.create_response_from_buffer(
			sizeof(oom_body) - 1, oom_body,
			MHD_RESPMEM_PERSISTENT);
	}
	if (!res->body_len) {
		http_body_free(res->body, 0);
		res->body = NULL;
		return libmhd.create_response_from_buffer(0, no_body,
						       MHD_RESPMEM_PERSISTENT);
	}
	o = malloc(sizeof(*o));
	if (!o)
		return NULL;
	o->buf = res->body;
	o->len = res->body_len;
	r = libmhd.create_response_from_buffer_with_free_callback_cls(
		o->len, o->buf, owned_free, o);
	if (!r) {
		free(o);
		return NULL;
	}
	res->body = NULL;
	res->body_len = 0;
	return r;
}

/* Queue res on conn (status, headers, body); takes res's body and
 * releases res (libmicrohttpd copies the headers). */
static enum MHD_Result send_response(struct MHD_Connection *conn,
				     struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ok = MHD_YES;

	http_response_check(res);
	r = mhd_body(res);
	if (!r) {
		http_response_reset(res, 500, HTTP_JSON_TYPE);
		http_response_headers_clear(res);
		r = mhd_body(res);
	}
	if (!r) {
		http_response_release(res);
		return MHD_NO;
	}
	if (res->content_type[0])
		ok = libmhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					     res->content_type);
	if (ok == MHD_YES)
		ok = libmhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
					     "no-store");
	if (ok == MHD_YES)
		ok = libmhd.add_response_header(r, "X-Content-Type-Options",
					     "nosniff");
	for (size_t i = 0; ok == MHD_YES && i < res->nheaders; i++)
		ok = libmhd.add_response_header(r, res->headers[i].name,
					     res->headers[i].value);
	if (ok == MHD_YES)
		ok = libmhd.queue_response(conn, (unsigned)res->status, r);
	libmhd.destroy_response(r);
	http_response_release(res);
	return ok;
}

/* An error answer of the server's own. */
static enum MHD_Result send_error(struct MHD_Connection *conn, int status,
				  const char *code, const char *msg,
				  const char *allow)
{
	struct http_response res;

	memset(&res, 0, sizeof(res));
	http_response_error(&res, status, code, "%s", msg);
	if (allow && http_response_header(&res, "Allow", allow))
		http_response_headers_clear(&res);
	return send_response(conn, &res);
}

/* ---- requests ---- */

static int method_known(const char *m)
{
	static const char *const known[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(m, known[i]))
			return 1;
	return 0;
}

static void remote_text(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci = libmhd.get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const void *a = NULL;

	snprintf(out, size, "?");
	if (sa && sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa && sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a && !inet_ntop(sa->sa_family, a, out, (socklen_t)size))
		snprintf(out, size, "?");
}

/*
 * Parse a Content-Length value: decimal digits only.  0 and *n, or -1.
 */
static int content_length(const char *v, uint64_t *n)
{
	uint64_t x = 0;

	if (!*v)
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*v - '0');
	}
	*n = x;
	return 0;
}

/* ---- reading a request ---- */

/* 503 with Retry-After: the bodies held now leave no room for this one. */
static enum MHD_Result send_busy(struct MHD_Connection *conn)
{
	struct http_response res;
	char after[16];

	memset(&res, 0, sizeof(res));
	snprintf(after, sizeof(after), "%d", HTTP_RETRY_AFTER_S);
	http_response_error(&res, 503, "busy",
			    "server busy with other uploads, retry later");
	if (http_response_header(&res, "Retry-After", after))
		http_response_headers_clear(&res);
	return send_response(conn, &res);
}

/*
 * Ask the user's headers_fn about the request before any body: it may
 * lower st->max_body or answer at once.  0, with *answered 1 when it
 * answered (queued); ERR_IO when its answer could not be queued (close).
 */
static int request_precheck(struct http_server *s, struct req_state *st,
			    struct MHD_Connection *conn, const char *url,
			    const char *method, int *answered)
{
	struct http_request req;
	struct http_response res;
	size_t max = st->max_body;

	*answered = 0;
	if (!s->headers_fn)
		return 0;
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.method = method;
	req.path = url;
	req.remote = st->remote;
	req.priv = conn;
	s->headers_fn(s->headers_ctx, &req, &max, &res);
	if (max < st->max_body)
		st->max_body = max;
	if (!res.status) {
		http_response_release(&res);
		return 0;
	}
	*answered = 1;
	return send_response(conn, &res) == MHD_YES ? 0 : ERR_IO;
}

/* First call for a request: headers are in; check them, set up state. */
static enum MHD_Result request_begin(struct http_server *s,
				     struct MHD_Connection *conn,
				     const char *url, const char *method,
				     void **con_cls)
{
	struct req_state *st = calloc(1, sizeof(*st));
	const char *cl;
	uint64_t n = 0;
	int rc, answered = 0;

	if (!st)
		return MHD_NO; /* out of memory: close the connection */
	remote_text(conn, st->remote, sizeof(st->remote));
	st->max_body = s->max_body;
	buf_init(&st->body, st->max_body);
	st->body.start = BODY_START;
	*con_cls = st;
	/* The body's deadline, from now: the header one is over. */
	http_guard_deadline(&s->guard, conn, s->guard.body_ms);
	if (!method_known(method)) {
		st->answered = 1;
		return send_error(conn, 405, "method_not_allowed",
				  "method not allowed", ALLOWED_METHODS);
	}
	cl = libmhd.lookup_connection_value(conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && content_length(cl, &n)) {
		st->answered = 1;
		return send_error(conn, 400, "bad_request",
				  "malformed Content-Length", NULL);
	}
	rc = request_precheck(s, st, conn, url, method, &answered);
	if (rc || answered) {
		st->answered = 1;
		return rc ? MHD_NO : MHD_YES;
	}
	st->body.max = st->max_body;
	if (!cl)
		return MHD_YES;
	if (n > st->max_body) {
		st->answered = 1;
		return send_error(conn, 413, "too_large",
				  "request body too large", NULL);
	}
	/* A body that could not fit now is refused before any of it is
	 * read.  Nothing is reserved for it yet: the budget is taken as its
	 * bytes arrive, so connections that announce large bodies and send
	 * nothing hold nothing (body_grow()). */
	if (n && !http_guard_fits(&s->guard, conn, (size_t)n)) {
		st->answered = 1;
		http_guard_over_budget(&s->guard);
		return send_busy(conn);
	}
	st->want = (size_t)n;
	/* Never more room than announced. */
	if (n)
		st->body.max = (size_t)n;
	return MHD_YES;
}

/*
 * Make room in st->body for n more bytes (within its bound: the caller
 * checked), doubling (common/buf.h).  The budget is taken here, for the
 * block about to be allocated, as the body arrives: what a client only
 * announces holds nothing.  0, with *over 1 (and no room made) when the
 * body outgrows what is left of the budget or of its address's share;
 * ERR_NOMEM.
 */
static int body_grow(struct http_server *s, struct req_state *st,
		     struct MHD_Connection *conn, size_t n, int *over)
{
	size_t cap = buf_next_cap(&st->body, n);

	*over = cap > st->reserved &&
		http_guard_take(&s->guard, conn, &st->reserved,
				cap - st->reserved);
	if (*over)
		return 0;
	return buf_reserve(&st->body, n) ? ERR_NOMEM : 0;
}

/* Body bytes arrived.  0, or -1 to cut the connection. */
static int request_absorb(struct http_server *s, struct req_state *st,
			  struct MHD_Connection *conn, const char *data,
			  size_t n)
{
	int over = 0;

	if (!st->too_big && !st->over_budget &&
	    n > st->body.max - st->body.len) {
		/* Too big (chunked, or more than announced): stop keeping
		 * it; 413 once the request ends. */
		st->too_big = 1;
	}
	if (!st->too_big && !st->over_budget && n > buf_room(&st->body)) {
		if (body_grow(s, st, conn, n, &over))
			return -1;
		if (over) {
			/* No room left: drop it, 503 at the end. */
			st->over_budget = 1;
			http_guard_over_budget(&s->guard);
		}
	}
	if (st->too_big || st->over_budget) {
		buf_release(&st->body);
		http_guard_give_back(&s->guard, conn, &st->reserved);
	}
	st->total = n > SIZE_MAX - st->total ? SIZE_MAX : st->total + n;
	if (st->too_big || st->over_budget)
		return st->total / 2 > st->max_body ? -1 : 0;
	/* Fits: room was made above. */
	return buf_append(&st->body, data, n) ? -1 : 0;
}

/* The whole request is in: call the handler and send its answer. */
static enum MHD_Result request_dispatch(struct http_server *s,
					struct req_state *st,
					struct MHD_Connection *conn,
					const char *url, const char *method)
{
	struct http_request req;
	struct http_response res;

	/* The request is in: no deadline while the handler works and the
	 * answer goes out (libmicrohttpd's idle timeout still runs). */
	http_guard_deadline(&s->guard, conn, 0);
	if (st->too_big)
		return send_error(conn, 413, "too_large",
				  "request body too large", NULL);
	if (st->over_budget)
		return send_busy(conn);
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.method = method;
	req.path = url;
	req.body = st->body.len ? st->body.data : NULL;
	req.body_len = st->body.len;
	req.remote = st->remote;
	req.priv = conn;
	s->fn(s->ctx, &req, &res);
	return send_response(conn, &res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct req_state *st = *con_cls;

	(void)version;
	if (!st)
		return request_begin(s, conn, url, method, con_cls);
	if (st->answered) {
		/* Answered from the headers; libmicrohttpd closes the
		 * connection after the answer, nothing more to keep. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		int rc = request_absorb(s, st, conn, upload_data,
					*upload_data_size);

		*upload_data_size = 0;
		return rc ? MHD_NO : MHD_YES;
	}
	return request_dispatch(s, st, conn, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct req_state *st = *con_cls;

	(void)toe;
	/* A kept-alive connection's next request has its headers'
	 * deadline from now. */
	http_guard_deadline(&s->guard, conn, s->guard.header_ms);
	if (!st)
		return;
	buf_release(&st->body);
	http_guard_give_back(&s->guard, conn, &st->reserved);
	free(st);
	*con_cls = NULL;
}

/* libmicrohttpd's messages: the first one while starting is kept for the
 * error report; all others are dropped. */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;

	pthread_mutex_lock(&s->lock);
	if (s->starting && !s->start_msg[0]) {
		size_t n;

		vsnprintf(s->start_msg, sizeof(s->start_msg), fmt, ap);
		n = strlen(s->start_msg);
		while (n && (s->start_msg[n - 1] == '\n' ||
			     s->start_msg[n - 1] == '.'))
			s->start_msg[--n] = '\0';
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- start, stop ---- */

/* Read and check the certificate chain and the key into s. */
static int tls_load(struct http_server *s, const struct http_config *cfg,
		    struct err *e)
{
	size_t size;
	int rc;

	rc = http_pem_read(cfg->cert_file, "certificate", 0, &s->cert, &size,
			   e);
	if (rc)
		return rc;
	if (!strstr(s->cert, "-----BEGIN CERTIFICATE-----"))
		return err_set(e, ERR_INVALID,
			       "certificate file %s: no PEM certificate",
			       cfg->cert_file);
	rc = http_pem_read(cfg->key_file, "key", 1, &s->key, &s->key_size, e);
	if (rc)
		return rc;
	if (strstr(s->key, "ENCRYPTED"))
		return err_set(e, ERR_INVALID,
			       "key file %s: encrypted keys are not supported",
			       cfg->key_file);
	if (!strstr(s->key, "-----BEGIN ") ||
	    !strstr(s->key, "PRIVATE KEY-----"))
		return err_set(e, ERR_INVALID,
			       "key file %s: no PEM private key",
			       cfg->key_file);
	return 0;
}

/*
 * Parse the address literal into *sa.  0 (and *loopback), or ERR_INVALID.
 */
static int address_parse(const char *text, uint16_t port,
			 struct sockaddr_storage *sa, socklen_t *len,
			 int *loopback, struct err *e)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)sa;

	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		*len = sizeof(*v4);
		*loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*len = sizeof(*v6);
		*loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
		return 0;
	}
	return err_set(e, ERR_INVALID, "not an IPv4 or IPv6 address: %s",
		       text);
}

/* A listening socket on sa; its port in *port.  The fd, or ERR_IO. */
static int listen_on(const struct sockaddr_storage *sa, socklen_t len,
		     const char *text, uint16_t *port, struct err *e)
{
	struct sockaddr_storage got;
	socklen_t glen = sizeof(got);
	int one = 1, fd, rc;

	fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot create a socket for %s: %s",
			       text, strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (sa->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (const struct sockaddr *)sa, len) ||
	    listen(fd, SOMAXCONN) ||
	    getsockname(fd, (struct sockaddr *)&got, &glen)) {
		rc = err_set(e, ERR_IO, "cannot listen on %s port %u: %s",
			     text, (unsigned)*port, strerror(errno));
		close(fd);
		return rc;
	}
	if (got.ss_family == AF_INET)
		*port = ntohs(((struct sockaddr_in *)(void *)&got)->sin_port);
	else
		*port = ntohs(((struct sockaddr_in6 *)(void *)&got)->sin6_port);
	return fd;
}

/* Check cfg; fill in *tls and the parsed address. */
static int config_check(const struct http_config *cfg, const char *addr,
			struct sockaddr_storage *sa, socklen_t *len, int *tls,
			struct err *e)
{
	int loopback = 0, rc;

	rc = address_parse(addr, cfg->port, sa, len, &loopback, e);
	if (rc)
		return rc;
	*tls = cfg->cert_file || cfg->key_file;
	if (*tls && (!cfg->cert_file || !cfg->key_file))
		return err_set(e, ERR_INVALID,
			       "TLS needs both a certificate and a key file");
	if (*tls && cfg->plain_http)
		return err_set(e, ERR_INVALID,
			       "plain_http set with a certificate: choose one");
	if (!*tls && !cfg->plain_http)
		return err_set(e, ERR_INVALID,
			       "no certificate and key given (plain HTTP must "
			       "be asked for)");
	if (!*tls && !loopback)
		return err_set(e, ERR_INVALID,
			       "plain HTTP only on a loopback address, not %s",
			       addr);
	return 0;
}

/* Start libmicrohttpd on the listening socket fd (which it then owns). */
static int daemon_start(struct http_server *s, const struct http_config *cfg,
			int fd, int tls, int ipv6)
{
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, s->key },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0, tls_priorities },
		{ MHD_OPTION_END, 0, NULL },
	};
	struct MHD_OptionItem none[] = { { MHD_OPTION_END, 0, NULL } };
	/* poll(), not epoll: with epoll, libmicrohttpd 0.9.75 keeps a TLS
	 * connection whose handshake waits for more bytes on its list of
	 * ready ones, and its thread spins on recv() until the client
	 * finishes or the deadline cuts it.  One slow handshake a thread
	 * took a core: tests/e2e/test_hub_dos.sh measured the hub at 19 s
	 * of CPU in 10 s against 64 dripping handshakes, 0.13 s with
	 * poll(). */
	unsigned int flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	unsigned max_conns = cfg->max_conns ? cfg->max_conns
					    : HTTP_DEFAULT_MAX_CONNS;
	unsigned per_ip = cfg->max_per_ip ? cfg->max_per_ip
					  : HTTP_DEFAULT_MAX_PER_IP;

	if (tls)
		flags |= MHD_USE_TLS;
	if (ipv6)
		flags |= MHD_USE_IPv6;
	pthread_mutex_lock(&s->lock);
	s->starting = 1;
	pthread_mutex_unlock(&s->lock);
	s->daemon = libmhd.start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, s,
		MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, NULL,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)(cfg->threads ? cfg->threads
					    : HTTP_DEFAULT_THREADS),
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)(cfg->timeout_s ? cfg->timeout_s
					      : HTTP_DEFAULT_TIMEOUT_S),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)max_conns,
		/* 0 is libmicrohttpd's "no bound per address". */
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)(per_ip >= max_conns ? 0 : per_ip),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, http_guard_on_connection,
		&s->guard,
		MHD_OPTION_ARRAY, tls ? tls_opts : none, MHD_OPTION_END);
	pthread_mutex_lock(&s->lock);
	s->starting = 0;
	pthread_mutex_unlock(&s->lock);
	return s->daemon ? 0 : -1;
}

int http_server_start(struct http_server **out, const struct http_config *cfg,
		      http_handler_fn fn, void *ctx, struct err *e)
{
	const char *addr = cfg->address ? cfg->address : "127.0.0.1";
	struct http_server *s = NULL;
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	int tls = 0, fd, rc;

	*out = NULL;
	if (!fn)
		return err_set(e, ERR_INVALID, "no request handler");
	if (sodium_init() < 0)
		return err_set(e, ERR_FAIL, "cannot initialise libsodium");
	rc = libmhd_load(e);
	if (!rc)
		rc = config_check(cfg, addr, &sa, &salen, &tls, e);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (pthread_mutex_init(&s->lock, NULL)) {
		free(s);
		return err_set(e, ERR_FAIL, "cannot create a mutex");
	}
	s->fn = fn;
	s->ctx = ctx;
	s->max_body = cfg->max_body ? cfg->max_body : HTTP_DEFAULT_MAX_BODY;
	s->headers_fn = cfg->headers_fn;
	s->headers_ctx = cfg->headers_ctx;
	s->port = cfg->port;
	rc = http_guard_init(&s->guard, cfg, s->max_body, e);
	if (rc)
		goto out;
	if (tls) {
		rc = tls_load(s, cfg, e);
		if (rc)
			goto out;
	}
	fd = listen_on(&sa, salen, addr, &s->port, e);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	/* libmicrohttpd closes fd when it fails to start, as when it stops. */
	if (daemon_start(s, cfg, fd, tls, sa.ss_family == AF_INET6)) {
		const char *why = s->start_msg[0] ? s->start_msg
						  : "libmicrohttpd refused";

		if (tls)
			rc = err_set(e, ERR_INVALID,
				     "cannot serve HTTPS on %s port %u with "
				     "certificate %s and key %s: %s",
				     addr, (unsigned)s->port, cfg->cert_file,
				     cfg->key_file, why);
		else
			rc = err_set(e, ERR_FAIL,
				     "cannot serve HTTP on %s port %u: %s",
				     addr, (unsigned)s->port, why);
		goto out;
	}
	*out = s;
	s = NULL;
out:
	http_server_stop(s);
	return rc;
}

uint16_t http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stats(struct http_server *s, struct http_stats *out)
{
	http_guard_stats(&s->guard, out);
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	if (s->daemon)
		libmhd.stop_daemon(s->daemon);
	http_guard_release(&s->guard);
	if (s->key) {
		sodium_memzero(s->key, s->key_size);
		sodium_free(s->key);
	}
	free(s->cert);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
