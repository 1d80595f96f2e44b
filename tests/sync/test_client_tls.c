/*
 * test_client_tls.c - sync/client.h over TLS, against `openssl s_server
 * -www` on loopback with a test CA and a server certificate for the IP
 * 127.0.0.1 (made here with the openssl command line).  The given CA is
 * trusted and replaces the system store; a certificate the system store
 * does not know, a host name the certificate does not name and a wrong
 * public-key pin are refused with ERR_AUTH at once, never retried; the
 * right pin is accepted; a handshake cut by the server is retried.
 */
#include "sync/client.h"
#include "tests/test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WRONG_PIN "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

/* The s_server fixture, shared by the tests, stopped at exit. */
static struct {
	int started;
	char dir[4096]; /* certificates, keys, pin */
	char ca[4200];  /* the test CA's certificate */
	char pin[128];  /* "sha256//..." of the server's public key */
	int port;
	pid_t pid;
} tls;

/* Run a shell command in tls.dir; its exit status (0 = success). */
static int sh(const char *fmt, ...)
{
	char cmd[2048], line[2048 + 4096 + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "cd '%s' && { %s; } >/dev/null 2>&1",
		 tls.dir, cmd);
	return system(line);
}

/* 1 once something accepts connections on 127.0.0.1:port. */
static int accepting(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (fd >= 0)
		close(fd);
	return ok;
}

static void tls_stop(void)
{
	if (tls.pid > 0) {
		kill(tls.pid, SIGTERM);
		waitpid(tls.pid, NULL, 0);
	}
	test_rmtree(tls.dir);
	client_global_cleanup();
}

/* The CA, the server's certificate for IP 127.0.0.1 and the pin. */
static int make_certs(void)
{
	char path[4200];
	char *pin;
	size_t n;

	if (sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256"
	       " -nodes -keyout ca.key -out ca.pem -days 2"
	       " -subj /CN=presidio-test-ca"
	       " -addext basicConstraints=critical,CA:TRUE"
	       " -addext keyUsage=critical,keyCertSign,cRLSign") ||
	    sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	       " -keyout srv.key -out srv.csr -subj /CN=127.0.0.1") ||
	    sh("printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints="
	       "CA:FALSE\\nextendedKeyUsage=serverAuth\\n' >ext.cnf") ||
	    sh("openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key"
	       " -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf") ||
	    sh("openssl x509 -in srv.pem -pubkey -noout |"
	       " openssl pkey -pubin -outform der |"
	       " openssl dgst -sha256 -binary | base64 >pin.txt"))
		return -1;
	snprintf(tls.ca, sizeof(tls.ca), "%s/ca.pem", tls.dir);
	snprintf(path, sizeof(path), "%s/pin.txt", tls.dir);
	pin = test_read_file(path, &n);
	if (!pin || n < 40 || n > 60) {
		free(pin);
		return -1;
	}
	while (n > 0 && (pin[n - 1] == '\n' || pin[n - 1] == '\r'))
		pin[--n] = '\0';
	snprintf(tls.pin, sizeof(tls.pin), "sha256//%s", pin);
	free(pin);
	return 0;
}

/* Start s_server on a free loopback port; wait until it accepts. */
static int start_server(void)
{
	char accept[32];
	int fd = test_listen_loopback(&tls.port);
	struct timespec pause = { 0, 20 * 1000000L };

	if (fd < 0)
		return -1;
	close(fd); /* free again, for s_server */
	snprintf(accept, sizeof(accept), "127.0.0.1:%d", tls.port);
	tls.pid = fork();
	if (tls.pid < 0)
		return -1;
	if (tls.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the test */
		/* dup2, not freopen: that would flush the parent's
		 * buffered output a second time. */
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || chdir(tls.dir) || dup2(null, 0) < 0 ||
		    dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execlp("openssl", "openssl", "s_server", "-accept", accept,
		       "-cert", "srv.pem", "-key", "srv.key", "-www", "-quiet",
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 250; i++) { /* 5 s at most */
		if (accepting(tls.port))
			return 0;
		nanosleep(&pause, NULL);
	}
	return -1;
}

static int setup_once(void)
{
	const char *base = getenv("TMPDIR");

	if (tls.started)
		return 0;
	tls.started = 1;
	snprintf(tls.dir, sizeof(tls.dir), "%s/presidio-tls-XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tls.dir) || client_global_init(NULL))
		return -1;
	atexit(tls_stop);
	if (make_certs() || start_server())
		return -1;
	return 0;
}

/* One GET / with this trust configuration; the code and response. */
static int get(const char *host, const char *ca, const char *pin,
	       struct client_response *r, struct err *e)
{
	struct client_config cfg;
	struct client *c = NULL;
	char url[128];
	int rc;

	client_config_init(&cfg);
	snprintf(url, sizeof(url), "https://%s:%d", host, tls.port);
	cfg.base_url = url;
	cfg.ca_file = ca;
	cfg.pinned_key = pin;
	cfg.retries = 3;
	cfg.backoff_ms = 5;
	err_init(e);
	rc = client_new(&c, &cfg, e);
	if (!rc)
		rc = client_request(c, "GET", "/", NULL, 0, NULL, r, e);
	client_free(c);
	return rc;
}

static void test_client_tls_trusts_the_given_ca(void)
{
	struct client_response r;
	struct err e;

	CHECK(setup_once() == 0);
	client_response_init(&r);
	CHECK_OK(get("127.0.0.1", tls.ca, NULL, &r, &e));
	CHECK(r.status == 200 && r.attempts == 1 && r.len > 0);
	CHECK(r.bytes_sent > 0 && r.bytes_received > r.len);
	client_response_release(&r);
}

static void test_client_tls_system_store_refuses_unknown_ca(void)
{
	struct client_response r;
	struct err e;

	CHECK(setup_once() == 0);
	client_response_init(&r);
	CHECK(get("127.0.0.1", NULL, NULL, &r, &e) == ERR_AUTH);
	CHECK(r.attempts == 1 && r.body == NULL);
	CHECK(strstr(e.msg, "hub certificate not trusted") != NULL);
}

static void test_client_tls_refuses_other_host_name(void)
{
	struct client_response r;
	struct err e;

	CHECK(setup_once() == 0);
	client_response_init(&r);
	/* The certificate names IP 127.0.0.1, not "localhost". */
	CHECK(get("localhost", tls.ca, NULL, &r, &e) == ERR_AUTH);
	CHECK(r.attempts == 1);
}

static void test_client_tls_wrong_pin_refused(void)
{
	struct client_response r;
	struct err e;

	CHECK(setup_once() == 0);
	client_response_init(&r);
	CHECK(get("127.0.0.1", tls.ca, WRONG_PIN, &r, &e) == ERR_AUTH);
	CHECK(r.attempts == 1 && r.body == NULL);
	CHECK(strstr(e.msg, "hub certificate not trusted") != NULL);
	CHECK(strstr(e.msg, "AAAAAAAA") == NULL);
}

static void test_client_tls_right_pin_accepted(void)
{
	struct client_response r;
	struct err e;

	CHECK(setup_once() == 0);
	client_response_init(&r);
	CHECK_OK(get("127.0.0.1", tls.ca, tls.pin, &r, &e));
	CHECK(r.status == 200 && r.attempts == 1);
	client_response_release(&r);
}

/* A pin without a CA is the trust: the key must match, the chain (a
 * CA the system does not know) and the name are not asked. */
static void test_client_tls_pin_alone(void)
{
	struct client_response r;
	struct err e;

	CHECK(setup_once() == 0);
	client_response_init(&r);
	CHECK_OK(get("127.0.0.1", NULL, tls.pin, &r, &e));
	CHECK(r.status == 200);
	client_response_release(&r);
	client_response_init(&r);
	CHECK(get("127.0.0.1", NULL, WRONG_PIN, &r, &e) == ERR_AUTH);
	CHECK(r.attempts == 1 && r.body == NULL);
}

/* Accept connections and close them at once, until told to stop. */
static void *hang_up(void *arg)
{
	int lfd = *(int *)arg;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			return NULL;
		close(fd);
	}
}

static void test_client_tls_cut_handshake_retried(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	struct err e;
	pthread_t t;
	char url[64];
	int lfd, port, rc;

	CHECK(setup_once() == 0);
	lfd = test_listen_loopback(&port);
	CHECK(lfd >= 0);
	CHECK(pthread_create(&t, NULL, hang_up, &lfd) == 0);
	client_config_init(&cfg);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", port);
	cfg.base_url = url;
	cfg.ca_file = tls.ca;
	cfg.retries = 2;
	cfg.backoff_ms = 5;
	client_response_init(&r);
	err_init(&e);
	rc = client_new(&c, &cfg, &e);
	if (!rc)
		rc = client_request(c, "GET", "/", NULL, 0, NULL, &r, &e);
	client_free(c);
	shutdown(lfd, SHUT_RDWR); /* wakes accept() */
	pthread_join(t, NULL);
	close(lfd);
	CHECK(rc == ERR_IO && r.attempts == 3);
	CHECK(strstr(e.msg, "3 attempts") != NULL);
}

TEST_MAIN(T(test_client_tls_trusts_the_given_ca),
	  T(test_client_tls_system_store_refuses_unknown_ca),
	  T(test_client_tls_refuses_other_host_name),
	  T(test_client_tls_wrong_pin_refused),
	  T(test_client_tls_right_pin_accepted),
	  T(test_client_tls_pin_alone),
	  T(test_client_tls_cut_handshake_retried))
