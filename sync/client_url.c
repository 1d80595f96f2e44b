/* client_url.c - the hub's base URL checked and normalised (client_int.h). */
#include "sync/client_int.h"

#include <arpa/inet.h>
#include "sync/libcurl.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 1 when host (as curl's URL parser gives it) is a loopback literal. */
static int is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char v6[INET6_ADDRSTRLEN + 1];
	size_t n = strlen(host);

	if (!strcasecmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n < 3 || host[0] != '[' || host[n - 1] != ']' ||
	    n - 2 >= sizeof(v6))
		return 0;
	memcpy(v6, host + 1, n - 2);
	v6[n - 2] = '\0';
	return inet_pton(AF_INET6, v6, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* 1 when curl's parser has the part in u (credentials, query...). */
static int has_part(CURLU *u, CURLUPart what)
{
	char *p = NULL;
	int has = libcurl.url_get(u, what, &p, 0) == CURLUE_OK && p && *p;

	libcurl.free(p);
	return has;
}

int client_parse_base(const char *url, int allow_plain, char **out,
		      struct err *e)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *norm = NULL;
	CURLUcode uc;
	size_t n;
	int rc = 0;

	*out = NULL;
	/* Also reached before client_global_init(): a URL checked alone. */
	if (libcurl_load(e))
		return ERR_FAIL;
	u = libcurl.url();
	if (!u)
		return err_set(e, ERR_NOMEM, "out of memory");
	uc = libcurl.url_set(u, CURLUPART_URL, url, 0); /* no space, no control */
	if (uc == CURLUE_OK)
		uc = libcurl.url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (uc == CURLUE_OK)
		uc = libcurl.url_get(u, CURLUPART_HOST, &host, 0);
	if (uc == CURLUE_OK)
		uc = libcurl.url_get(u, CURLUPART_URL, &norm, 0);
	if (uc == CURLUE_OUT_OF_MEMORY) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (uc != CURLUE_OK) {
		rc = err_set(e, ERR_INVALID, "hub URL is not valid (%s)",
			     libcurl.url_strerror(uc));
		goto out;
	}
	if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD) ||
	    has_part(u, CURLUPART_QUERY) || has_part(u, CURLUPART_FRAGMENT)) {
		rc = err_set(e, ERR_INVALID,
			     "hub URL must not hold credentials, a query or "
			     "a fragment");
		goto out;
	}
	if (!strcmp(scheme, "http")) {
		if (!allow_plain || !is_loopback(host)) {
			rc = err_set(e, ERR_INVALID,
				     "hub URL must use https (http only for "
				     "a loopback host, when allowed)");
			goto out;
		}
	} else if (strcmp(scheme, "https")) {
		rc = err_set(e, ERR_INVALID, "hub URL must use https");
		goto out;
	}
	n = strlen(norm);
	while (n > 0 && norm[n - 1] == '/')
		n--;
	*out = strndup(norm, n);
	if (!*out)
		rc = err_set(e, ERR_NOMEM, "out of memory");
out:
	libcurl.free(scheme);
	libcurl.free(host);
	libcurl.free(norm);
	libcurl.url_cleanup(u);
	return rc;
}
