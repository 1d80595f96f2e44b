/*
 * test_http_tls.c - http/http.h over HTTPS: a CA and a server certificate
 * for IP 127.0.0.1 made here by the openssl command line; libcurl with the
 * CA succeeds, without it fails verification; TLS 1.1 and CBC suites are
 * refused by the server; bad certificate and key files are named; a
 * handshake left unfinished costs the server no CPU while it waits.
 */
#include "tests/http/http_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

/* Run argv (the openssl command line), quietly.  0 when it exits 0. */
static int run(const char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Paths of the test PKI in test_tmpdir(). */
struct pki {
	char ca[4200], ca_key[4200], cert[4200], key[4200];
	char csr[4200], ext[4200];
};

/* A CA and a server certificate for IP 127.0.0.1 it signed (P-256). */
static int make_pki(struct pki *p)
{
	const char *d = test_tmpdir();
	FILE *f;

	snprintf(p->ca, sizeof(p->ca), "%s/ca.pem", d);
	snprintf(p->ca_key, sizeof(p->ca_key), "%s/ca.key", d);
	snprintf(p->cert, sizeof(p->cert), "%s/server.pem", d);
	snprintf(p->key, sizeof(p->key), "%s/server.key", d);
	snprintf(p->csr, sizeof(p->csr), "%s/server.csr", d);
	snprintf(p->ext, sizeof(p->ext), "%s/server.ext", d);
	f = fopen(p->ext, "w");
	if (!f)
		return -1;
	fputs("subjectAltName=IP:127.0.0.1\n"
	      "basicConstraints=critical,CA:FALSE\n"
	      "keyUsage=critical,digitalSignature\n"
	      "extendedKeyUsage=serverAuth\n", f);
	if (fclose(f))
		return -1;
	{
		const char *ca[] = { "openssl", "req", "-x509", "-newkey",
			"ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
			"-keyout", p->ca_key, "-out", p->ca, "-days", "2",
			"-subj", "/CN=Presidio test CA", NULL };
		const char *req[] = { "openssl", "req", "-newkey", "ec",
			"-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
			"-keyout", p->key, "-out", p->csr, "-subj",
			"/CN=127.0.0.1", NULL };
		const char *sign[] = { "openssl", "x509", "-req", "-in",
			p->csr, "-CA", p->ca, "-CAkey", p->ca_key,
			"-set_serial", "2", "-days", "2", "-out", p->cert,
			"-extfile", p->ext, NULL };

		if (run(ca) || run(req) || run(sign))
			return -1;
	}
	return 0;
}

static int start_tls(struct http_server **s, const struct pki *p,
		     struct err *e)
{
	struct http_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.cert_file = p->cert;
	cfg.key_file = p->key;
	cfg.max_body = MAX_BODY;
	return http_server_start(s, &cfg, handler, NULL, e);
}

/* Open file descriptors of this process. */
static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

/* ---- TLS ---- */

static void test_http_tls_verified_only_with_ca(void)
{
	struct http_server *s = NULL;
	struct pki p;
	struct err e;
	struct call good = { .path = "/echo?q=tls", .https = 1 };
	struct call no_ca = { .path = "/echo", .https = 1 };
	int ok;

	CHECK_OK(make_pki(&p));
	good.cainfo = p.ca;
	err_init(&e);
	CHECK_OK(start_tls(&s, &p, &e));
	fetch(http_server_port(s), &good);
	fetch(http_server_port(s), &no_ca);
	http_server_stop(s);
	ok = good.rc == CURLE_OK && good.status == 200 && good.no_store &&
	     strstr(good.reply, "\"q\":\"tls\"") &&
	     no_ca.rc == CURLE_PEER_FAILED_VERIFICATION;
	call_release(&good);
	call_release(&no_ca);
	CHECK(ok);
}

static void test_http_tls_refuses_tls11_and_cbc(void)
{
	struct http_server *s = NULL;
	struct pki p;
	/* The client's own policy (OpenSSL security level) would refuse
	 * TLS 1.1 too: lower it, so the refusal is the server's. */
	struct call old = { .path = "/echo", .https = 1,
			    .sslversion = CURL_SSLVERSION_TLSv1 |
					  CURL_SSLVERSION_MAX_TLSv1_1,
			    .ciphers = "DEFAULT:@SECLEVEL=0" };
	struct call v12 = { .path = "/echo", .https = 1,
			    .sslversion = CURL_SSLVERSION_TLSv1_2 |
					  CURL_SSLVERSION_MAX_TLSv1_2 };
	struct call v13 = { .path = "/echo", .https = 1,
			    .sslversion = CURL_SSLVERSION_TLSv1_3 };
	/* TLS 1.2 offering CBC suites only: refused too. */
	struct call cbc = { .path = "/echo", .https = 1,
			    .sslversion = CURL_SSLVERSION_TLSv1_2 |
					  CURL_SSLVERSION_MAX_TLSv1_2,
			    .ciphers = "ECDHE-ECDSA-AES128-SHA256:"
				       "ECDHE-ECDSA-AES128-SHA" };
	int ok;

	CHECK_OK(make_pki(&p));
	old.cainfo = v12.cainfo = v13.cainfo = cbc.cainfo = p.ca;
	CHECK_OK(start_tls(&s, &p, NULL));
	fetch(http_server_port(s), &old);
	fetch(http_server_port(s), &v12);
	fetch(http_server_port(s), &v13);
	fetch(http_server_port(s), &cbc);
	http_server_stop(s);
	ok = old.rc != CURLE_OK && old.status == 0 && v12.rc == CURLE_OK &&
	     v12.status == 200 && v13.rc == CURLE_OK && v13.status == 200 &&
	     cbc.rc != CURLE_OK && cbc.status == 0;
	if (!ok)
		printf("\n    tls1.1: %d %s; 1.2: %d; 1.3: %d; cbc: %d %s\n",
		       (int)old.rc, old.errbuf, (int)v12.rc, (int)v13.rc,
		       (int)cbc.rc, cbc.errbuf);
	call_release(&old);
	call_release(&v12);
	call_release(&v13);
	call_release(&cbc);
	CHECK(ok);
}

/* User and system CPU of this process (every thread), in microseconds. */
static long long cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/*
 * Two clients start a TLS handshake (a record header announcing 16 KB
 * and the first bytes of a ClientHello) and send nothing more.  The
 * server's threads must wait for them in poll(): in epoll mode
 * libmicrohttpd 0.9.75 kept such a connection among the ready ones and
 * its thread spun on recv(), a core a thread, until the deadline (see
 * http.c).  This process does nothing else meanwhile: its CPU over that
 * second is the server's.
 */
static void test_http_tls_waiting_handshake_costs_nothing(void)
{
	static const unsigned char hello_start[] = { 0x16, 0x03, 0x01, 0x40,
						     0x00, 0x01, 0x00, 0x3f,
						     0xfc, 0x03, 0x03 };
	struct timespec second = { 1, 0 };
	struct http_server *s = NULL;
	struct sockaddr_in a;
	struct pki p;
	long long before, spent;
	int fd[2] = { -1, -1 }, sent = 0;

	CHECK_OK(make_pki(&p));
	CHECK_OK(start_tls(&s, &p, NULL));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)http_server_port(s));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < 2; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fd[i] >= 0 &&
		    !connect(fd[i], (struct sockaddr *)&a, sizeof(a)) &&
		    send(fd[i], hello_start, sizeof(hello_start),
			 MSG_NOSIGNAL) == (ssize_t)sizeof(hello_start))
			sent++;
	}
	/* Let the server read what came, then measure it waiting. */
	nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
	before = cpu_us();
	nanosleep(&second, NULL);
	spent = cpu_us() - before;
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	http_server_stop(s);
	if (spent >= 200000)
		printf("\n    %lld ms of CPU in 1 s of waiting\n",
		       spent / 1000);
	CHECK(sent == 2 && before >= 0 && spent < 200000);
}

static void test_http_tls_bad_files_named(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct pki p;
	struct err e;
	char missing[4300];
	int fds;

	CHECK_OK(make_pki(&p));
	snprintf(missing, sizeof(missing), "%s/nope.pem", test_tmpdir());
	memset(&cfg, 0, sizeof(cfg));
	cfg.cert_file = missing;
	cfg.key_file = p.key;
	err_init(&e);
	CHECK(http_server_start(&s, &cfg, handler, NULL, &e) == ERR_IO);
	CHECK(!s && strstr(e.msg, missing));
	/* A key file that is not PEM (the CSR is PEM, not a key). */
	cfg.cert_file = p.cert;
	cfg.key_file = p.csr;
	err_init(&e);
	CHECK(http_server_start(&s, &cfg, handler, NULL, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, p.csr));
	/* A certificate file holding a key. */
	cfg.cert_file = p.key;
	cfg.key_file = p.key;
	err_init(&e);
	CHECK(http_server_start(&s, &cfg, handler, NULL, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, p.key));
	/* A key that is not the certificate's: GnuTLS refuses the pair. */
	cfg.cert_file = p.cert;
	cfg.key_file = p.ca_key;
	err_init(&e);
	fds = count_fds();
	CHECK(http_server_start(&s, &cfg, handler, NULL, &e) == ERR_INVALID);
	CHECK(count_fds() == fds); /* the listening socket was closed */
	CHECK(strstr(e.msg, p.cert) && strstr(e.msg, p.ca_key));
	/* Only one of the two. */
	cfg.key_file = NULL;
	CHECK(http_server_start(&s, &cfg, handler, NULL, NULL) ==
	      ERR_INVALID);
	/* Both TLS and plain_http. */
	cfg.key_file = p.key;
	cfg.plain_http = 1;
	CHECK(http_server_start(&s, &cfg, handler, NULL, NULL) ==
	      ERR_INVALID);
}
HTTP_TEST_MAIN(T(test_http_tls_verified_only_with_ca),
	       T(test_http_tls_refuses_tls11_and_cbc),
	       T(test_http_tls_waiting_handshake_costs_nothing),
	       T(test_http_tls_bad_files_named))
