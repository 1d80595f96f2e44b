/* client.c - see client.h. */
#include "sync/client.h"
#include "sync/client_int.h"

#include "sync/libcurl.h"
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"

#define DEF_CONNECT_S     15
#define DEF_LOW_SPEED     64
#define DEF_LOW_SPEED_S   30
#define DEF_TOTAL_S       300
#define DEF_RETRIES       5
#define DEF_BACKOFF_MS    500
#define DEF_BACKOFF_MAX   30000
#define PIN_PREFIX        "sha256//"
#define RETRY_AFTER_MAX_S 86400L /* a day: anything longer is nonsense */
#define METHOD_MAX        16
#define CURL_MIN_VERSION  0x075500 /* 7.85.0: CURLOPT_PROTOCOLS_STR */

struct client_headers {
	struct curl_slist *list; /* owned; freed after each attempt */
};

struct client {
	CURL *curl;                 /* one handle: connections are reused */
	struct client_config cfg;   /* defaults applied; strings below */
	char *base;                 /* normalised base URL, no trailing '/' */
	char *ca_file;              /* copy, or NULL */
	char *pinned_key;           /* copy, or NULL */
	char *keep_header;          /* copy, or NULL */
	char errbuf[CURL_ERROR_SIZE]; /* curl's message for the last attempt */
};

/* What one attempt is receiving. */
struct attempt {
	CURL *curl;       /* to read Content-Length while receiving */
	struct buf body;  /* body so far and its NUL (max + 1 bytes at
			     most), wiped whenever it moves or goes */
	size_t max;       /* max_response */
	int too_large;    /* the body went past max */
	int nomem;        /* an allocation failed while receiving */
	long retry_after; /* seconds asked by the last response, -1 if none */
	uint64_t sent;    /* request bytes (headers, body) curl sent */
	uint64_t recvd;   /* response bytes (headers, body) it received */
};

/* What to do after an attempt. */
enum outcome {
	OUT_DONE,    /* a final HTTP response */
	OUT_RETRY,   /* transient: try again if retries are left */
	OUT_IO,      /* failed in transit, not worth retrying */
	OUT_AUTH,    /* the hub's certificate or key is not trusted */
	OUT_INVALID, /* our request or the response is refused */
	OUT_NOMEM
};

void client_config_init(struct client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->retries = DEF_RETRIES;
	cfg->backoff_ms = DEF_BACKOFF_MS;
	cfg->backoff_max_ms = DEF_BACKOFF_MAX;
	cfg->max_response = CLIENT_MAX_RESPONSE;
}

void client_response_init(struct client_response *r)
{
	memset(r, 0, sizeof(*r));
}

void client_response_release(struct client_response *r)
{
	if (!r)
		return;
	if (r->body) {
		sodium_memzero(r->body, r->len + 1);
		free(r->body);
	}
	client_response_init(r);
}

/* An HTTP token character (RFC 9110), the only ones a header name has. */
static int is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

int client_header_add(struct client_headers *h, const char *line)
{
	struct curl_slist *l;
	size_t i = 0;

	if (!h || !line)
		return ERR_INVALID;
	while (is_tchar(line[i]))
		i++;
	if (i == 0 || line[i] != ':' || strpbrk(line, "\r\n"))
		return ERR_INVALID;
	l = libcurl.slist_append(h->list, line);
	if (!l)
		return ERR_NOMEM;
	h->list = l;
	return 0;
}

/* Copy cfg into c with the defaults of zero fields applied. */
static int client_configure(struct client *c, const struct client_config *cfg,
			    struct err *e)
{
	int rc;

	c->cfg = *cfg;
	if (c->cfg.connect_timeout_s <= 0)
		c->cfg.connect_timeout_s = DEF_CONNECT_S;
	if (c->cfg.low_speed_limit <= 0)
		c->cfg.low_speed_limit = DEF_LOW_SPEED;
	if (c->cfg.low_speed_time_s <= 0)
		c->cfg.low_speed_time_s = DEF_LOW_SPEED_S;
	if (c->cfg.total_timeout_s <= 0)
		c->cfg.total_timeout_s = DEF_TOTAL_S;
	if (c->cfg.max_response == 0)
		c->cfg.max_response = CLIENT_MAX_RESPONSE;
	if (c->cfg.max_response > SIZE_MAX / 2) /* max + 1 cannot wrap */
		c->cfg.max_response = SIZE_MAX / 2;
	rc = client_parse_base(cfg->base_url, cfg->allow_plain, &c->base, e);
	if (rc)
		return rc;
	if (cfg->ca_file) {
		if (access(cfg->ca_file, R_OK))
			return err_set(e, ERR_INVALID,
				       "CA file %s cannot be read: %s",
				       cfg->ca_file, strerror(errno));
		c->ca_file = strdup(cfg->ca_file);
		if (!c->ca_file)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (cfg->pinned_key) {
		if (strncmp(cfg->pinned_key, PIN_PREFIX, strlen(PIN_PREFIX)) ||
		    strpbrk(cfg->pinned_key, "\r\n"))
			return err_set(e, ERR_INVALID,
				       "pinned key must be sha256//<base64>");
		c->pinned_key = strdup(cfg->pinned_key);
		if (!c->pinned_key)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (cfg->keep_header) {
		c->keep_header = strdup(cfg->keep_header);
		if (!c->keep_header)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	c->cfg.base_url = c->base;
	c->cfg.ca_file = c->ca_file;
	c->cfg.pinned_key = c->pinned_key;
	c->cfg.keep_header = c->keep_header;
	return 0;
}

int client_new(struct client **out, const struct client_config *cfg,
	       struct err *e)
{
	struct client *c = NULL;
	int rc = 0;

	*out = NULL;
	if (!cfg || !cfg->base_url)
		return err_set(e, ERR_INVALID, "no hub URL");
	c = calloc(1, sizeof(*c));
	if (!c) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = client_configure(c, cfg, e);
	if (rc)
		goto out;
	c->curl = libcurl.easy_init();
	if (!c->curl) {
		rc = err_set(e, ERR_FAIL, "libcurl could not make a handle");
		goto out;
	}
	*out = c;
	c = NULL;
out:
	client_free(c);
	return rc;
}

void client_free(struct client *c)
{
	if (!c)
		return;
	if (c->curl)
		libcurl.easy_cleanup(c->curl);
	free(c->base);
	free(c->ca_file);
	free(c->pinned_key);
	free(c->keep_header);
	free(c);
}

/* Free the attempt's body, wiped, and forget what it received. */
static void attempt_reset(struct attempt *a)
{
	buf_release(&a->body);
	a->too_large = a->nomem = 0;
	a->retry_after = -1;
	a->sent = a->recvd = 0;
}

/* libcurl write callback: keep the body, refuse past max bytes.  The
 * first chunk reserves the announced Content-Length, if any. */
static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct attempt *a = ud;
	size_t add = size * n, extra = add + 1;
	curl_off_t cl = -1;

	if (add > a->max - a->body.len) {
		a->too_large = 1;
		return 0;
	}
	/* Within the bound (max + 1) by the check above. */
	if (!a->body.data &&
	    libcurl.easy_getinfo(a->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
			      &cl) == CURLE_OK &&
	    cl > 0 && (uint64_t)cl <= a->max && (size_t)cl >= extra)
		extra = (size_t)cl + 1;
	if (buf_reserve(&a->body, extra) ||
	    buf_append(&a->body, data, add)) {
		a->nomem = 1;
		return 0;
	}
	a->body.data[a->body.len] = '\0';
	return add;
}

/* Seconds asked by a Retry-After value (delay or HTTP date), -1 if none. */
static long parse_retry_after(const char *v)
{
	char *end;
	unsigned long s;
	time_t when, now;

	if (*v >= '0' && *v <= '9') {
		errno = 0;
		s = strtoul(v, &end, 10);
		if (*end || errno)
			return -1;
		return s > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : (long)s;
	}
	when = libcurl.getdate(v, NULL);
	now = time(NULL);
	if (when < 0)
		return -1;
	if (when <= now)
		return 0;
	if (when - now > RETRY_AFTER_MAX_S)
		return RETRY_AFTER_MAX_S;
	return (long)(when - now);
}

/* libcurl header callback: only Retry-After matters here. */
static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	static const char name[] = "retry-after:";
	struct attempt *a = ud;
	size_t len = size * n, nl = sizeof(name) - 1;
	char v[64];

	if (len >= 5 && !memcmp(data, "HTTP/", 5)) {
		a->retry_after = -1; /* a new response (after a 1xx) */
	} else if (len > nl && !strncasecmp(data, name, nl)) {
		const char *p = data + nl, *end = data + len;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == '\r' || end[-1] == '\n' ||
				   end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - p) < sizeof(v)) {
			memcpy(v, p, (size_t)(end - p));
			v[end - p] = '\0';
			a->retry_after = parse_retry_after(v);
		}
	}
	return len;
}

/*
 * libcurl debug callback, used only to count bytes: the request and the
 * response as curl hands them to and takes them from the connection.  (The
 * transfer counters of curl_easy_getinfo count a small POST body twice.)
 * Nothing is printed.
 */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size,
		    void *ud)
{
	struct attempt *a = ud;

	(void)h;
	(void)data;
	if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT)
		a->sent += size;
	else if (type == CURLINFO_HEADER_IN || type == CURLINFO_DATA_IN)
		a->recvd += size;
	return 0;
}

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = libcurl.easy_setopt(h, opt, val);                    \
	} while (0)

/* Set every option of one attempt on a handle reset to its defaults
 * (curl_easy_reset keeps live connections and the TLS session cache). */
static CURLcode setup(struct client *c, struct attempt *a, const char *method,
		      const char *url, const uint8_t *body, size_t len,
		      struct curl_slist *headers)
{
	const struct client_config *cfg = &c->cfg;
	CURL *h = c->curl;
	CURLcode rc = CURLE_OK;
	const char *fields = body ? (const char *)body : "";

	libcurl.easy_reset(h);
	c->errbuf[0] = '\0';
	SET(CURLOPT_ERRORBUFFER, c->errbuf);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	/* A pinned key without a CA is the whole trust: a hub with a
	 * self-signed certificate is known by its key, which is checked on
	 * every connection; the chain and name are then not asked of it.
	 * Otherwise both are always verified. */
	if (c->pinned_key && !c->ca_file) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		SET(CURLOPT_SSL_VERIFYPEER, 1L);
		SET(CURLOPT_SSL_VERIFYHOST, 2L);
	}
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (c->ca_file) {
		/* Only the given CAs: no system directory besides. */
		SET(CURLOPT_CAINFO, c->ca_file);
		SET(CURLOPT_CAPATH, (char *)NULL);
	}
	if (c->pinned_key)
		SET(CURLOPT_PINNEDPUBLICKEY, c->pinned_key);
	SET(CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout_s);
	SET(CURLOPT_LOW_SPEED_LIMIT, cfg->low_speed_limit);
	SET(CURLOPT_LOW_SPEED_TIME, cfg->low_speed_time_s);
	SET(CURLOPT_TIMEOUT, cfg->total_timeout_s);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cfg->max_response);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, a);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, a);
	SET(CURLOPT_DEBUGFUNCTION, on_debug);
	SET(CURLOPT_DEBUGDATA, a);
	SET(CURLOPT_VERBOSE, 1L);
	SET(CURLOPT_HTTPHEADER, headers);
	if (!strcmp(method, "GET")) {
		SET(CURLOPT_HTTPGET, 1L);
	} else {
		/* Never the default read callback (stdin), even without a
		 * body. */
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		SET(CURLOPT_POSTFIELDS, fields);
		if (strcmp(method, "POST"))
			SET(CURLOPT_CUSTOMREQUEST, method);
	}
	return rc;
}

#undef SET

/* Check what client_request() was given, before anything is sent. */
static int check_request(const char *method, const char *path,
			 const uint8_t *body, size_t len,
			 const char *content_type, struct err *e)
{
	size_t i;

	for (i = 0; method && method[i] >= 'A' && method[i] <= 'Z'; i++)
		;
	if (!method || i == 0 || method[i] || i >= METHOD_MAX)
		return err_set(e, ERR_INVALID, "bad HTTP method");
	if (!path || path[0] != '/')
		return err_set(e, ERR_INVALID, "request path must start "
					       "with '/'");
	for (i = 0; path[i]; i++)
		if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f)
			return err_set(e, ERR_INVALID,
				       "request path contains a space or "
				       "control character");
	if (!body && len)
		return err_set(e, ERR_INVALID, "no body but a length");
	if (len && !strcmp(method, "GET"))
		return err_set(e, ERR_INVALID, "a GET takes no body");
	if (content_type && strpbrk(content_type, "\r\n"))
		return err_set(e, ERR_INVALID, "bad content type");
	return 0;
}

/*
 * The header lines of one attempt: no "Expect: 100-continue" (a round
 * trip lost on a slow link), the body's content type (or none, rather
 * than curl's form default), then what the sign callback adds.
 */
static int attempt_headers(struct client *c, struct client_headers *h,
			   const char *method, const char *path,
			   const uint8_t *body, size_t len,
			   const char *content_type, struct err *e)
{
	char line[CLIENT_CONTENT_TYPE_MAX + 16];
	int rc;

	rc = client_header_add(h, "Expect:");
	if (!rc && content_type) {
		if ((size_t)snprintf(line, sizeof(line), "Content-Type: %s",
				     content_type) >= sizeof(line))
			return err_set(e, ERR_INVALID, "content type too long");
		rc = client_header_add(h, line);
	} else if (!rc && strcmp(method, "GET")) {
		rc = client_header_add(h, "Content-Type:");
	}
	if (rc)
		return err_set(e, rc, rc == ERR_NOMEM ? "out of memory"
						      : "bad content type");
	if (!c->cfg.sign)
		return 0;
	rc = c->cfg.sign(c->cfg.sign_ctx, method, path, body, len, h, e);
	if (rc && (!e || e->code != rc))
		err_set(e, rc, "signing the request failed");
	return rc;
}

/* What the response or curl's result calls for. */
static enum outcome classify(CURLcode cc, long status, const struct attempt *a)
{
	if (a->nomem)
		return OUT_NOMEM;
	if (a->too_large)
		return OUT_INVALID;
	switch (cc) {
	case CURLE_OK:
		switch (status) {
		case 408:
		case 429:
		case 500:
		case 502:
		case 503:
		case 504:
			return OUT_RETRY;
		default:
			return OUT_DONE;
		}
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return OUT_RETRY;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return OUT_AUTH;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_SSL_CACERT_BADFILE:
		return OUT_INVALID;
	case CURLE_OUT_OF_MEMORY:
		return OUT_NOMEM;
	default:
		return OUT_IO;
	}
}

/* The error an outcome other than DONE and RETRY reports. */
static int outcome_error(const struct client *c, enum outcome o, CURLcode cc,
			 unsigned attempts, const char *why, struct err *e)
{
	switch (o) {
	case OUT_AUTH:
		if (cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
			return err_set(e, ERR_AUTH,
				       "hub certificate not trusted: its "
				       "public key does not match the pin");
		return err_set(e, ERR_AUTH, "hub certificate not trusted (%s)",
			       why);
	case OUT_INVALID:
		if (cc == CURLE_FILESIZE_EXCEEDED || cc == CURLE_WRITE_ERROR)
			return err_set(e, ERR_INVALID,
				       "hub response larger than %zu bytes",
				       c->cfg.max_response);
		if (cc == CURLE_SSL_CACERT_BADFILE)
			return err_set(e, ERR_INVALID,
				       "CA file could not be loaded (%s)", why);
		return err_set(e, ERR_INVALID, "request refused: %s", why);
	case OUT_NOMEM:
		return err_set(e, ERR_NOMEM, "out of memory");
	default:
		return err_set(e, ERR_IO, "hub request failed after %u "
					  "attempt%s: %s",
			       attempts, attempts == 1 ? "" : "s", why);
	}
}

/* Delay before retry n+1 (n = 0 for the first): full jitter under the
 * doubled backoff, or the server's Retry-After, both capped. */
static unsigned retry_delay(const struct client_config *cfg, unsigned n,
			    long retry_after)
{
	uint64_t cap = cfg->backoff_max_ms, bound = cfg->backoff_ms;

	if (retry_after > 0) {
		uint64_t ms = (uint64_t)retry_after * 1000;

		return (unsigned)(ms < cap ? ms : cap);
	}
	for (unsigned i = 0; i < n && bound < cap; i++)
		bound *= 2;
	if (bound > cap)
		bound = cap;
	if (bound >= UINT32_MAX)
		return randombytes_random();
	return randombytes_uniform((uint32_t)bound + 1);
}

static void pause_ms(unsigned ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Hand the attempt's body (or an empty string), type and kept header
 * over to res. */
static int take_response(const struct client *c, struct attempt *a,
			 struct client_response *res, struct err *e)
{
	struct curl_header *kept = NULL;
	CURL *h = c->curl;
	char *type = NULL;

	if (buf_reserve(&a->body, 1))
		return err_set(e, ERR_NOMEM, "out of memory");
	a->body.data[a->body.len] = '\0';
	/* client_response_release() wipes len + 1 bytes: all ever written. */
	res->body = buf_steal(&a->body, &res->len, NULL);
	if (libcurl.easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK &&
	    type)
		snprintf(res->content_type, sizeof(res->content_type), "%s",
			 type);
	/* The last response's (-1), not a 1xx before it. */
	if (c->keep_header &&
	    libcurl.easy_header(h, c->keep_header, 0, CURLH_HEADER, -1, &kept) ==
		CURLHE_OK &&
	    kept->value && strlen(kept->value) < sizeof(res->kept))
		snprintf(res->kept, sizeof(res->kept), "%s", kept->value);
	return 0;
}

/* 1 when the last attempt opened a connection of its own. */
static int new_connection(struct client *c)
{
	long connects = 0;

	if (libcurl.easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &connects) !=
	    CURLE_OK)
		connects = 1;
	return connects > 0;
}

/* Tell the caller of a cut in transit: 1 when it wants no retry. */
static int cut_stops(struct client *c, const struct attempt *a, CURLcode cc)
{
	struct client_cut cut;
	curl_off_t length = -1;

	/* Nothing reached the hub: no size is to blame. */
	if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
	    cc == CURLE_COULDNT_RESOLVE_PROXY)
		return 0;
	memset(&cut, 0, sizeof(cut));
	cut.sent = a->sent;
	cut.received = a->recvd;
	if (libcurl.easy_getinfo(c->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
			      &length) != CURLE_OK)
		length = -1;
	cut.expected = length >= 0 ? (int64_t)length : -1;
	cut.fresh = new_connection(c);
	return c->cfg.on_cut(c->cfg.cut_ctx, &cut) != 0;
}

int client_request(struct client *c, const char *method, const char *path,
		   const uint8_t *body, size_t len, const char *content_type,
		   struct client_response *res, struct err *e)
{
	struct client_headers h = { NULL };
	struct attempt a = { .retry_after = -1 };
	char why[CURL_ERROR_SIZE + 32];
	char *url = NULL;
	size_t ulen;
	int rc;

	client_response_release(res);
	a.curl = c->curl;
	a.max = c->cfg.max_response;
	buf_init(&a.body, a.max < SIZE_MAX ? a.max + 1 : a.max);
	a.body.start = 4096;
	rc = check_request(method, path, body, len, content_type, e);
	if (rc)
		goto out;
	ulen = strlen(c->base) + strlen(path) + 1;
	url = malloc(ulen);
	if (!url) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(url, ulen, "%s%s", c->base, path);
	for (unsigned n = 0;; n++) {
		enum outcome o;
		CURLcode cc;
		unsigned delay;

		attempt_reset(&a);
		libcurl.slist_free_all(h.list);
		h.list = NULL;
		rc = attempt_headers(c, &h, method, path, body, len,
				     content_type, e);
		if (rc)
			goto out;
		cc = setup(c, &a, method, url, body, len, h.list);
		if (cc != CURLE_OK) {
			rc = err_set(e, cc == CURLE_OUT_OF_MEMORY ? ERR_NOMEM
								  : ERR_FAIL,
				     "libcurl refused an option: %s",
				     libcurl.easy_strerror(cc));
			goto out;
		}
		cc = libcurl.easy_perform(c->curl);
		res->attempts++;
		res->bytes_sent += a.sent;
		res->bytes_received += a.recvd;
		res->status = 0;
		if (cc == CURLE_OK) {
			libcurl.easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE,
					  &res->status);
			snprintf(why, sizeof(why), "HTTP %ld", res->status);
		} else {
			snprintf(why, sizeof(why), "%s",
				 c->errbuf[0] ? c->errbuf
					      : libcurl.easy_strerror(cc));
		}
		o = classify(cc, res->status, &a);
		if (o == OUT_DONE ||
		    (o == OUT_RETRY && cc == CURLE_OK && n >= c->cfg.retries)) {
			rc = take_response(c, &a, res, e);
			goto out;
		}
		if (o == OUT_RETRY && cc != CURLE_OK && c->cfg.on_cut &&
		    n < c->cfg.retries && cut_stops(c, &a, cc))
			o = OUT_IO;
		if (o != OUT_RETRY || n >= c->cfg.retries) {
			rc = outcome_error(c, o, cc, res->attempts, why, e);
			goto out;
		}
		delay = retry_delay(&c->cfg, n,
				    cc == CURLE_OK ? a.retry_after : -1);
		/* A kept connection cut after it carried bytes: the link
		 * works, the next attempt opens a new connection at once
		 * (a new one failing waits as usual). */
		if (cc != CURLE_OK && (a.sent || a.recvd) && !new_connection(c))
			delay = 0;
		if (c->cfg.on_retry)
			c->cfg.on_retry(c->cfg.retry_ctx, res->attempts, delay,
					why);
		pause_ms(delay);
	}
out:
	attempt_reset(&a);
	libcurl.slist_free_all(h.list);
	free(url);
	return rc;
}

int client_global_init(struct err *e)
{
	const curl_version_info_data *v;

	if (sodium_init() < 0)
		return err_set(e, ERR_FAIL, "libsodium could not start");
	if (libcurl_load(e))
		return ERR_FAIL;
	if (libcurl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, ERR_FAIL, "libcurl could not start");
	v = libcurl.version_info(CURLVERSION_NOW);
	if (!v || v->version_num < CURL_MIN_VERSION ||
	    !(v->features & CURL_VERSION_SSL)) {
		libcurl.global_cleanup();
		return err_set(e, ERR_FAIL,
			       "libcurl 7.85 or later with TLS is needed");
	}
	return 0;
}

void client_global_cleanup(void)
{
	libcurl.global_cleanup();
}
