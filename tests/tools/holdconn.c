/*
 * holdconn.c - holds many connections open against a server, the way one
 * hostile source would to make it unavailable, for the hub's tests.
 *
 *   holdconn --to ADDR:PORT --from SRC --conns N --mode idle|drip|tlsdrip
 *            [--every MS] --seconds S
 *
 * Opens N TCP connections from the local address SRC (any 127.x.y.z on
 * loopback, so that one test can play several sources) and keeps them:
 *   idle     connects and sends nothing;
 *   drip     sends the start of an HTTP request, then one byte every MS
 *            milliseconds, so that an idle timeout never fires;
 *   tlsdrip  the same with the start of a TLS handshake record (the
 *            server waits for the rest of it), for a TLS server.
 * A connection the server closes is opened again 200 ms later, as an
 * attacker would.  After S seconds (or SIGTERM) it prints one line,
 *   opened O refused R cut C
 * (refused: closed within a second of being opened; cut: closed later)
 * and exits.  Single-threaded, one poll() loop; libc only, nothing of
 * Presidio.  Bounded in connections (at most 1000) and time (at most 600 s).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1000
#define MAX_SECONDS 600

enum mode { MODE_IDLE, MODE_DRIP, MODE_TLSDRIP };

struct slot {
	int fd;        /* -1 when closed */
	long opened;   /* when connected (ms) */
	size_t sent;   /* bytes of the prefix sent */
	long retry_at; /* when to open it again after a close (ms) */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bytes a connection sends, one per tick after the first burst: an
 * HTTP request that never ends its headers, or a TLS handshake record
 * announcing 16 KiB that never come. */
static const char http_start[] = "POST /v1/push HTTP/1.1\r\nHost: hub\r\nX-";
static const unsigned char tls_start[] = { 0x16, 0x03, 0x01, 0x40, 0x00,
					   0x01, 0x00, 0x3f, 0xfc, 0x03,
					   0x03 };

static int open_one(const struct sockaddr_in *from,
		    const struct sockaddr_in *to)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (const struct sockaddr *)from, sizeof(*from)) ||
	    connect(fd, (const struct sockaddr *)to, sizeof(*to))) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* Send the next byte(s) of the connection's prefix, then filler. */
static void drip_one(struct slot *s, enum mode m)
{
	const char *p = m == MODE_DRIP ? http_start : (const char *)tls_start;
	size_t n = m == MODE_DRIP ? sizeof(http_start) - 1 : sizeof(tls_start);
	char b = m == MODE_DRIP ? 'a' : 0x00;

	if (s->sent == 0) {
		if (send(s->fd, p, n, MSG_NOSIGNAL) == (ssize_t)n)
			s->sent = n;
		return;
	}
	if (send(s->fd, &b, 1, MSG_NOSIGNAL) == 1)
		s->sent++;
}

static int parse_addr(const char *text, struct sockaddr_in *a, int port_too)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	size_t n = port_too && colon ? (size_t)(colon - text) : strlen(text);

	if (n >= sizeof(host) || (port_too && !colon))
		return -1;
	memcpy(host, text, n);
	host[n] = '\0';
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return -1;
	if (port_too) {
		long port = strtol(colon + 1, NULL, 10);

		if (port <= 0 || port > 65535)
			return -1;
		a->sin_port = htons((unsigned short)port);
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: holdconn --to ADDR:PORT --from SRC --conns N "
			"--mode idle|drip|tlsdrip [--every MS] --seconds S\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "conns", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, 'm' },
		{ "every", required_argument, NULL, 'e' },
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in to, from;
	struct slot *slots;
	struct pollfd *pfd;
	long conns = 0, every = 1000, seconds = 0, end, next_drip;
	long opened = 0, refused = 0, cut = 0;
	enum mode m = MODE_IDLE;
	int have_to = 0, have_from = 0, opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			have_to = !parse_addr(optarg, &to, 1);
			break;
		case 'f':
			have_from = !parse_addr(optarg, &from, 0);
			break;
		case 'n':
			conns = strtol(optarg, NULL, 10);
			break;
		case 'm':
			if (!strcmp(optarg, "idle"))
				m = MODE_IDLE;
			else if (!strcmp(optarg, "drip"))
				m = MODE_DRIP;
			else if (!strcmp(optarg, "tlsdrip"))
				m = MODE_TLSDRIP;
			else
				return usage();
			break;
		case 'e':
			every = strtol(optarg, NULL, 10);
			break;
		case 's':
			seconds = strtol(optarg, NULL, 10);
			break;
		default:
			return usage();
		}
	}
	if (!have_to || !have_from || conns < 1 || conns > MAX_CONNS ||
	    every < 10 || seconds < 1 || seconds > MAX_SECONDS)
		return usage();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	slots = calloc((size_t)conns, sizeof(*slots));
	pfd = calloc((size_t)conns, sizeof(*pfd));
	if (!slots || !pfd)
		return 1;
	for (long i = 0; i < conns; i++)
		slots[i].fd = -1;
	end = now_ms() + seconds * 1000;
	next_drip = now_ms();
	while (!stop && now_ms() < end) {
		long now = now_ms();

		for (long i = 0; i < conns; i++) {
			if (slots[i].fd >= 0 || now < slots[i].retry_at)
				continue;
			slots[i].fd = open_one(&from, &to);
			slots[i].opened = now;
			slots[i].sent = 0;
			if (slots[i].fd >= 0)
				opened++;
			else
				slots[i].retry_at = now + 200;
		}
		if (m != MODE_IDLE && now >= next_drip) {
			for (long i = 0; i < conns; i++)
				if (slots[i].fd >= 0)
					drip_one(&slots[i], m);
			next_drip = now + every;
		}
		for (long i = 0; i < conns; i++) {
			pfd[i].fd = slots[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)conns, 100) < 0 && errno != EINTR)
			break;
		now = now_ms();
		for (long i = 0; i < conns; i++) {
			char buf[4096];
			ssize_t got;

			if (slots[i].fd < 0 || !pfd[i].revents)
				continue;
			got = recv(slots[i].fd, buf, sizeof(buf), 0);
			if (got > 0 || (got < 0 && errno == EAGAIN))
				continue; /* an answer: read and dropped */
			if (now - slots[i].opened < 1000)
				refused++;
			else
				cut++;
			close(slots[i].fd);
			slots[i].fd = -1;
			slots[i].retry_at = now + 200; /* no spinning */
		}
	}
	for (long i = 0; i < conns; i++)
		if (slots[i].fd >= 0)
			close(slots[i].fd);
	printf("opened %ld refused %ld cut %ld\n", opened, refused, cut);
	free(slots);
	free(pfd);
	return 0;
}
