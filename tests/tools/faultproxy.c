/*
 * faultproxy.c - a TCP relay that breaks connections on purpose, for the
 * sync tests.
 *
 * Listens on loopback, connects each accepted connection to one target and
 * relays both directions.  Decided per connection when it is accepted: a
 * cut after some bytes counted over both directions together (so cuts land
 * in requests, responses and TLS handshakes alike), closing both sides
 * with FIN or RST.  Chunks may be delayed and each direction throttled.
 * Every random choice comes from a splitmix64 stream keyed by the seed and
 * the connection's sequence number: the same seed makes the same choices
 * for the same connection index.  How the bytes before a cut split between
 * the two directions still depends on the peers' timing; the total does not.
 *
 * One thread per connection runs a poll() loop over two non-blocking
 * sockets with a bounded buffer per direction, so a peer that does not
 * read never blocks the other direction, and half-closes pass through.
 * Before an RST the relay waits (briefly) until what it wrote has been
 * acknowledged: a cut after N bytes delivers N bytes either way.  The main
 * thread accepts until SIGTERM, SIGINT or --lifetime.  Libc and pthreads
 * only, nothing of Presidio.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>

#define FP_BUF 16384        /* relay buffer per direction */
#define FP_MAX_CONN 256     /* connections relayed at once */
#define FP_TICK_MS 100      /* longest poll: how soon a stop is seen */
#define FP_DRAIN_MS 2000    /* longest wait to deliver bytes before a cut */
#define FP_CONNECT_MS 5000  /* longest wait to connect to the target */
#define FP_EXIT_MS 5000     /* longest wait for connections at exit */
#define FP_CHUNKS_PER_S 50  /* throttled chunk: 1/50 s worth of bytes */

/* The command line, read once by main() and then only read. */
struct opts {
	const char *listen;    /* loopback address to bind */
	const char *target;    /* HOST:PORT as given, for messages */
	const char *port_file; /* where the port number goes, or NULL */
	const char *stats;     /* where the counts go, or NULL */
	uint64_t seed;         /* PRNG seed */
	double cut_prob;       /* chance that a connection is cut */
	double reset_prob;     /* chance that a cut sends RST, not FIN */
	uint64_t cut_min, cut_max; /* cut after cut_min..cut_max bytes */
	uint64_t delay_ms;     /* delay each chunk by 0..delay_ms */
	uint64_t throttle;     /* bytes per second per direction, 0: none */
	uint64_t lifetime;     /* seconds before exiting by itself */
	int verbose;           /* one line per connection on stderr */
};

/* One direction of a relayed connection. */
struct dir {
	int from;          /* socket read */
	int to;            /* socket written */
	char buf[FP_BUF];  /* bytes read, not yet written */
	size_t len;        /* bytes in buf */
	size_t off;        /* of which already written */
	int eof;           /* `from` reached end of stream */
	int shut;          /* FIN passed on to `to` */
	int64_t ready_us;  /* buf is not written before (delay) */
	int64_t read_us;   /* next read not before (throttle) */
	uint64_t moved;    /* bytes written to `to` */
};

/* A relayed connection, owned by its thread. */
struct conn {
	uint64_t index;     /* sequence number, from 1 */
	int client;         /* accepted socket */
	int target;         /* socket to the target, -1 before connecting */
	uint64_t rng;       /* PRNG state for the delays */
	int cut;            /* cut this connection */
	int reset;          /* ... with RST */
	uint64_t budget;    /* bytes, both directions, before the cut */
	uint64_t seen;      /* bytes read so far, both directions */
	int64_t cut_us;     /* give up delivering before the cut after */
	struct dir d[2];    /* [0] client to target, [1] target to client */
};

/* How a relay ended. */
enum outcome { END_CLEAN, END_CUT, END_ERROR, END_STOP };

static struct opts g_opt;
static struct addrinfo *g_target;
static atomic_int g_stop;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_idle = PTHREAD_COND_INITIALIZER;
static unsigned g_active; /* connection threads running, under g_lock */
static struct {
	uint64_t connections; /* connections ended */
	uint64_t cuts;        /* of which cut on purpose */
	uint64_t resets;      /* of which cut with RST */
	uint64_t bytes_up;    /* client to target, delivered */
	uint64_t bytes_down;  /* target to client, delivered */
} g_stats;                    /* written to --stats; under g_lock */

static void usage(FILE *f)
{
	fputs("usage: faultproxy --target HOST:PORT [--listen 127.0.0.1]\n"
	      "  [--port-file FILE] [--seed N] [--cut-prob P]\n"
	      "  [--cut-min BYTES] [--cut-max BYTES] [--reset-prob P]\n"
	      "  [--delay-ms MAX] [--throttle BYTES_PER_S] [--lifetime SECONDS]\n"
	      "  [--stats FILE] [--verbose] [--help]\n"
	      "Relays TCP from a loopback port to HOST:PORT.  Cuts a\n"
	      "connection with chance P (default 0.3) after MIN..MAX\n"
	      "(default 0..65536) bytes of both directions together, with RST\n"
	      "at --reset-prob (default 0.5) else FIN; delays each chunk by\n"
	      "0..MAX ms; limits each direction to BYTES_PER_S; rewrites\n"
	      "--stats FILE after each connection; exits after SECONDS\n"
	      "(default 600).  Exit status 2 on bad arguments.\n",
	      f);
}

static void bad_arg(const char *what, const char *value)
{
	fprintf(stderr, "faultproxy: %s: '%s'\n", what, value);
	usage(stderr);
	exit(2);
}

/* Monotonic time in microseconds. */
static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* splitmix64: one step of the stream in *s. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The stream `which` of connection `index`: independent of the others. */
static uint64_t rng_stream(uint64_t index, uint64_t which)
{
	uint64_t s = g_opt.seed ^ (index * 0xd1b54a32d192ed03ULL) ^
		     (which * 0x8cb92ba72f3d8dd7ULL);

	rng_next(&s);
	return s;
}

/* A uniform double in [0, 1). */
static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

/* A uniform integer in [0, max]. */
static uint64_t rng_upto(uint64_t *s, uint64_t max)
{
	return max == UINT64_MAX ? rng_next(s) : rng_next(s) % (max + 1);
}

/* A decimal in [0, max], the whole string; exits 2 otherwise. */
static uint64_t parse_u64(const char *opt, const char *s, uint64_t max)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		bad_arg(opt, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		bad_arg(opt, s);
	return (uint64_t)v;
}

/* A probability in [0, 1]; exits 2 otherwise. */
static double parse_prob(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.0 && v <= 1.0))
		bad_arg(opt, s);
	return v;
}

/* Resolve --target into g_target; exits 2 when it cannot. */
static void resolve_target(const char *arg)
{
	char host[256];
	const char *colon = strrchr(arg, ':');
	size_t hlen = colon ? (size_t)(colon - arg) : 0;
	struct addrinfo hints;
	int rc;

	if (hlen == 0 || hlen >= sizeof(host) || !colon[1])
		bad_arg("--target wants HOST:PORT", arg);
	memcpy(host, arg, hlen);
	host[hlen] = '\0';
	parse_u64("--target port", colon + 1, 65535);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, colon + 1, &hints, &g_target);
	if (rc != 0) {
		fprintf(stderr, "faultproxy: --target %s: %s\n", arg,
			gai_strerror(rc));
		exit(2);
	}
}

/*
 * Fill *ss with the loopback address `arg` (an IPv4 address in
 * 127.0.0.0/8, ::1, or "localhost") and port 0; exits 2 on anything else.
 */
static socklen_t parse_listen(const char *arg, struct sockaddr_storage *ss)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	const char *a = strcmp(arg, "localhost") == 0 ? "127.0.0.1" : arg;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &v4->sin_addr) == 1 &&
	    (ntohl(v4->sin_addr.s_addr) >> 24) == 127) {
		v4->sin_family = AF_INET;
		return sizeof(*v4);
	}
	if (inet_pton(AF_INET6, a, &v6->sin6_addr) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) {
		v6->sin6_family = AF_INET6;
		return sizeof(*v6);
	}
	bad_arg("--listen wants a loopback IP address", arg);
	return 0;
}

static void parse_args(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "target", required_argument, NULL, 't' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "cut-prob", required_argument, NULL, 'c' },
		{ "cut-max", required_argument, NULL, 'm' },
		{ "cut-min", required_argument, NULL, 'n' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "throttle", required_argument, NULL, 'T' },
		{ "reset-prob", required_argument, NULL, 'r' },
		{ "lifetime", required_argument, NULL, 'L' },
		{ "stats", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct timespec ts;
	int ch;

	clock_gettime(CLOCK_REALTIME, &ts); /* the seed unless --seed */
	g_opt.seed = (uint64_t)ts.tv_sec * 1000000000ULL ^
		     (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	g_opt.listen = "127.0.0.1";
	g_opt.cut_prob = 0.3;
	g_opt.reset_prob = 0.5;
	g_opt.cut_max = 65536;
	g_opt.lifetime = 600;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 't': g_opt.target = optarg; break;
		case 'l': g_opt.listen = optarg; break;
		case 'p': g_opt.port_file = optarg; break;
		case 'S': g_opt.stats = optarg; break;
		case 'v': g_opt.verbose = 1; break;
		case 's':
			g_opt.seed = parse_u64("--seed", optarg, UINT64_MAX);
			break;
		case 'c': g_opt.cut_prob = parse_prob("--cut-prob", optarg);
			break;
		case 'r': g_opt.reset_prob = parse_prob("--reset-prob", optarg);
			break;
		case 'm':
			g_opt.cut_max = parse_u64("--cut-max", optarg,
						  UINT64_MAX);
			break;
		case 'n':
			g_opt.cut_min = parse_u64("--cut-min", optarg,
						  UINT64_MAX);
			break;
		case 'd':
			g_opt.delay_ms = parse_u64("--delay-ms", optarg, 60000);
			break;
		case 'T':
			g_opt.throttle = parse_u64("--throttle", optarg,
						   UINT64_C(1) << 40);
			break;
		case 'L':
			g_opt.lifetime = parse_u64("--lifetime", optarg,
						   86400 * 7);
			if (g_opt.lifetime == 0)
				bad_arg("--lifetime wants at least 1", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			bad_arg("unknown option or missing value",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_arg("unexpected argument", argv[optind]);
	if (g_opt.cut_min > g_opt.cut_max)
		bad_arg("--cut-min is above --cut-max", "");
	if (!g_opt.target) {
		fputs("faultproxy: --target is required\n", stderr);
		usage(stderr);
		exit(2);
	}
}

/* Write text to path through a temporary file and a rename.  0 or -1. */
static int write_atomic(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());

	if (n > 0 && (size_t)n < sizeof(tmp))
		f = fopen(tmp, "we");
	if (!f)
		return -1;
	n = fputs(text, f);
	if (fclose(f) != 0 || n < 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Rewrite --stats from g_stats; the caller holds g_lock. */
static void stats_write_locked(void)
{
	char text[256];

	if (!g_opt.stats)
		return;
	snprintf(text, sizeof(text),
		 "connections %" PRIu64 "\ncuts %" PRIu64 "\nresets %" PRIu64
		 "\nbytes_up %" PRIu64 "\nbytes_down %" PRIu64 "\n",
		 g_stats.connections, g_stats.cuts, g_stats.resets,
		 g_stats.bytes_up, g_stats.bytes_down);
	if (write_atomic(g_opt.stats, text) != 0)
		fprintf(stderr, "faultproxy: cannot write %s\n", g_opt.stats);
}

/*
 * Connect to the target, trying each of its addresses, FP_CONNECT_MS at
 * most each.  Returns a non-blocking socket, or -1 with errno set.
 */
static int connect_target(void)
{
	struct timeval tv = { FP_CONNECT_MS / 1000, 0 };
	int err = ECONNREFUSED;

	for (struct addrinfo *ai = g_target; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			err = errno;
			continue;
		}
		/* Bounds a blocking connect() on Linux. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    fcntl(fd, F_SETFL, O_NONBLOCK) == 0)
			return fd;
		err = errno;
		close(fd);
	}
	errno = err;
	return -1;
}

/* How many bytes one read may take now: 0 only once the cut is due. */
static size_t read_allowance(const struct conn *c)
{
	size_t want = FP_BUF;

	if (g_opt.throttle && g_opt.throttle / FP_CHUNKS_PER_S < want)
		want = (size_t)(g_opt.throttle / FP_CHUNKS_PER_S) + 1;
	if (c->cut && c->budget - c->seen < want)
		want = (size_t)(c->budget - c->seen);
	return want;
}

/* After a failed recv() or send(): 1 when it is worth trying again. */
static int io_again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/* Read one chunk for d.  0, or -1 when the connection failed. */
static int dir_read(struct conn *c, struct dir *d, int64_t now)
{
	size_t want = read_allowance(c);
	ssize_t r;

	if (want == 0)
		return 0;
	r = recv(d->from, d->buf, want, 0);
	if (r < 0)
		return io_again() ? 0 : -1;
	if (r == 0) {
		d->eof = 1;
		return 0;
	}
	d->len = (size_t)r;
	d->off = 0;
	c->seen += (uint64_t)r;
	if (c->cut && c->seen >= c->budget)
		c->cut_us = now + FP_DRAIN_MS * 1000;
	d->ready_us = now;
	if (g_opt.delay_ms)
		d->ready_us += (int64_t)rng_upto(&c->rng, g_opt.delay_ms) *
			       1000;
	if (g_opt.throttle) {
		int64_t base = d->read_us > now ? d->read_us : now;

		d->read_us = base + (int64_t)((uint64_t)r * 1000000 /
					      g_opt.throttle);
	}
	return 0;
}

/* Write what d holds.  0, or -1 when the connection failed. */
static int dir_write(struct dir *d)
{
	ssize_t w = send(d->to, d->buf + d->off, d->len - d->off,
			 MSG_NOSIGNAL);

	if (w < 0)
		return io_again() ? 0 : -1;
	d->off += (size_t)w;
	d->moved += (uint64_t)w;
	if (d->off == d->len)
		d->off = d->len = 0;
	return 0;
}

/*
 * Relay c until both directions ended, the cut, a failure or a stop.
 * pfd[0] is the client, pfd[1] the target; d[i] reads pfd[i] and writes
 * pfd[1 - i].
 */
static enum outcome relay(struct conn *c)
{
	for (;;) {
		struct pollfd pfd[2] = { { c->client, 0, 0 },
					 { c->target, 0, 0 } };
		int64_t now = now_us();
		int64_t wake = now + FP_TICK_MS * 1000;
		int cutting = c->cut && c->seen >= c->budget;
		int busy = 0;
		int64_t ms;

		if (atomic_load(&g_stop))
			return END_STOP;
		if (cutting && now >= c->cut_us)
			return END_CUT;
		for (int i = 0; i < 2; i++) {
			struct dir *d = &c->d[i];

			if (d->len > d->off) {
				busy = 1;
				if (now >= d->ready_us)
					pfd[1 - i].events |= POLLOUT;
				else if (d->ready_us < wake)
					wake = d->ready_us;
			} else if (!d->eof && !cutting) {
				busy = 1;
				if (now >= d->read_us)
					pfd[i].events |= POLLIN;
				else if (d->read_us < wake)
					wake = d->read_us;
			} else if (d->eof && !d->shut) {
				shutdown(d->to, SHUT_WR);
				d->shut = 1;
			}
		}
		if (!busy)
			return cutting ? END_CUT : END_CLEAN;
		/* A socket with nothing wanted is left out: an error or a
		 * hang-up on it would wake poll() over and over. */
		for (int i = 0; i < 2; i++)
			if (!pfd[i].events)
				pfd[i].fd = -1;
		ms = (wake - now + 999) / 1000;
		if (poll(pfd, 2, (int)ms) < 0) {
			if (errno == EINTR)
				continue;
			return END_ERROR;
		}
		now = now_us();
		for (int i = 0; i < 2; i++) {
			struct dir *d = &c->d[i];
			int o = 1 - i;

			if ((pfd[o].events & POLLOUT) && pfd[o].revents &&
			    dir_write(d) != 0)
				return END_ERROR;
			if ((pfd[i].events & POLLIN) && pfd[i].revents &&
			    dir_read(c, d, now) != 0)
				return END_ERROR;
		}
	}
}

/*
 * Wait until fd's send queue is empty (all bytes acknowledged) or until
 * `until`, so that an RST does not discard bytes already relayed.
 */
static void wait_sent(int fd, int64_t until)
{
	int queued = 0;

	while (ioctl(fd, SIOCOUTQ, &queued) == 0 && queued > 0 &&
	       now_us() < until && !atomic_load(&g_stop)) {
		struct timespec ts = { 0, 2000000 };

		nanosleep(&ts, NULL);
	}
}

/* Send FIN now, and drop what the peer sent that nobody will read. */
static void close_fin(int fd)
{
	char sink[4096];

	shutdown(fd, SHUT_WR);
	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
	close(fd);
}

/* Close both sides of c as the outcome wants. */
static void conn_close(struct conn *c, enum outcome how)
{
	int fds[2] = { c->client, c->target };
	struct linger rst = { 1, 0 }; /* close() sends RST */

	if (how == END_CUT && c->reset) {
		int64_t until = now_us() + FP_DRAIN_MS * 1000;

		wait_sent(c->client, until);
		wait_sent(c->target, until);
	}
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		if (how == END_ERROR || (how == END_CUT && c->reset))
			setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &rst,
				   sizeof(rst));
		if (how == END_CUT && !c->reset)
			close_fin(fds[i]);
		else
			close(fds[i]);
	}
}

/* Count c as ended, let main() know, free c. */
static void conn_done(struct conn *c, enum outcome how)
{
	if (g_opt.verbose)
		fprintf(stderr,
			"faultproxy: conn %" PRIu64 ": %s after %" PRIu64
			" bytes (up %" PRIu64 ", down %" PRIu64 ")\n",
			c->index,
			how == END_CLEAN   ? "ended"
			: how == END_ERROR ? "failed, reset"
			: how == END_STOP  ? "stopped"
			: c->reset	   ? "cut with RST"
					   : "cut with FIN",
			c->seen, c->d[0].moved, c->d[1].moved);
	pthread_mutex_lock(&g_lock);
	g_stats.connections++;
	g_stats.cuts += how == END_CUT;
	g_stats.resets += how == END_CUT && c->reset;
	g_stats.bytes_up += c->d[0].moved;
	g_stats.bytes_down += c->d[1].moved;
	stats_write_locked();
	g_active--;
	pthread_cond_signal(&g_idle);
	pthread_mutex_unlock(&g_lock);
	free(c);
}

/* Thread body: relay one connection, count it, free it. */
static void *conn_main(void *arg)
{
	struct conn *c = arg;
	enum outcome how = END_ERROR;

	c->target = connect_target();
	if (c->target < 0) {
		char buf[128];

		fprintf(stderr, "faultproxy: conn %" PRIu64 ": %s: %s\n",
			c->index, g_opt.target,
			strerror_r(errno, buf, sizeof(buf)));
	} else {
		int one = 1;

		setsockopt(c->client, IPPROTO_TCP, TCP_NODELAY, &one, 4);
		setsockopt(c->target, IPPROTO_TCP, TCP_NODELAY, &one, 4);
		c->d[0].from = c->d[1].to = c->client;
		c->d[0].to = c->d[1].from = c->target;
		how = relay(c);
	}
	conn_close(c, how);
	conn_done(c, how);
	return NULL;
}

/* Decide the fate of connection `index` and start its thread. */
static void conn_start(int client, uint64_t index)
{
	struct conn *c = calloc(1, sizeof(*c));
	uint64_t fate = rng_stream(index, 1);
	pthread_attr_t attr;
	pthread_t tid;
	sigset_t all, old;
	int rc;

	if (!c) {
		close(client);
		return;
	}
	c->index = index;
	c->client = client;
	c->target = -1;
	c->rng = rng_stream(index, 2);
	/* Always three draws, in this order, whatever the options. */
	c->cut = rng_unit(&fate) < g_opt.cut_prob;
	c->budget = g_opt.cut_min +
		    rng_upto(&fate, g_opt.cut_max - g_opt.cut_min);
	c->reset = rng_unit(&fate) < g_opt.reset_prob;

	pthread_mutex_lock(&g_lock);
	g_active++;
	pthread_mutex_unlock(&g_lock);
	/* Signals go to the main thread only. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, conn_main, c);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		fprintf(stderr, "faultproxy: conn %" PRIu64 ": no thread\n",
			index);
		conn_close(c, END_ERROR);
		conn_done(c, END_ERROR);
	}
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&g_stop, 1);
}

/* Bind and listen on --listen, port 0.  Returns the socket; exits 1. */
static int listen_socket(unsigned *port)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_listen(g_opt.listen, &ss);
	int one = 1;
	int fd = socket(ss.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				 sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		perror("faultproxy: listen");
		exit(1);
	}
	*port = ntohs(ss.ss_family == AF_INET
			      ? ((struct sockaddr_in *)&ss)->sin_port
			      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* Accept until a signal or the end of the lifetime. */
static void accept_loop(int lfd)
{
	int64_t end = now_us() + (int64_t)g_opt.lifetime * 1000000;
	uint64_t index = 0;

	while (!atomic_load(&g_stop)) {
		struct pollfd p = { lfd, POLLIN, 0 };
		int64_t left = end - now_us();
		unsigned active;
		int fd;

		if (left <= 0) {
			fprintf(stderr, "faultproxy: lifetime over, exiting\n");
			break;
		}
		pthread_mutex_lock(&g_lock);
		active = g_active;
		pthread_mutex_unlock(&g_lock);
		if (active >= FP_MAX_CONN)
			p.events = 0; /* leave them in the backlog */
		if (left > FP_TICK_MS * 1000)
			left = FP_TICK_MS * 1000;
		if (poll(&p, 1, (int)((left + 999) / 1000)) <= 0 ||
		    !(p.revents & POLLIN))
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			continue; /* EAGAIN, EINTR, ECONNABORTED, EMFILE */
		conn_start(fd, ++index);
	}
}

int main(int argc, char **argv)
{
	struct timespec until;
	unsigned port = 0;
	char text[32];
	int lfd;

	parse_args(argc, argv);
	resolve_target(g_opt.target);

	/* poll() returns EINTR whatever SA_RESTART says. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	lfd = listen_socket(&port);
	pthread_mutex_lock(&g_lock);
	stats_write_locked();
	pthread_mutex_unlock(&g_lock);
	snprintf(text, sizeof(text), "%u\n", port);
	if (g_opt.port_file && write_atomic(g_opt.port_file, text) != 0) {
		fprintf(stderr, "faultproxy: cannot write %s\n",
			g_opt.port_file);
		return 1;
	}
	fprintf(stderr,
		"faultproxy: seed %" PRIu64 ", listening on %s port %u, "
		"target %s\n",
		g_opt.seed, g_opt.listen, port, g_opt.target);

	accept_loop(lfd);
	close(lfd);

	/* Connections see g_stop within FP_TICK_MS and close. */
	atomic_store(&g_stop, 1);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FP_EXIT_MS / 1000;
	pthread_mutex_lock(&g_lock);
	while (g_active > 0)
		if (pthread_cond_timedwait(&g_idle, &g_lock, &until) ==
		    ETIMEDOUT)
			break;
	stats_write_locked();
	if (g_active == 0)
		freeaddrinfo(g_target); /* else a thread may still use it */
	pthread_mutex_unlock(&g_lock);
	return 0;
}
