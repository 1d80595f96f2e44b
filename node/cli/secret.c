/*
 * secret.c - getting the secrets that unlock a node: key files, a line
 * from a file descriptor, environment variables, and a prompt on the
 * terminal with echo off; and creating key files for new slots.
 *
 * Every secret lands in sodium_malloc() memory (guarded, locked, wiped by
 * sodium_free()) and is read byte by byte, so nothing stays in a stdio
 * buffer and a descriptor shared with other input (--passphrase-fd 0 with
 * a JSON document after the line) is not read past the line.  The
 * terminal's echo is restored on every path, also when a signal ends the
 * program during the prompt.  Secrets are never taken from argv.
 */
#include "node/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* What read_line() found: a status of its own, not an ERR_* code (the
 * callers turn it into one, with a message fit for where it was read). */
enum line_status {
	LINE_OK = 0,
	LINE_EOF,  /* end of input before any byte */
	LINE_LONG, /* longer than the buffer */
	LINE_ERRNO /* read error, see errno */
};

void cli_secret_init(struct cli_secret *s)
{
	s->buf = NULL;
	s->len = 0;
	s->kind = KEYSLOT_PASSPHRASE;
}

void cli_secret_release(struct cli_secret *s)
{
	if (!s)
		return;
	sodium_free(s->buf); /* wipes; accepts NULL */
	cli_secret_init(s);
}

static int secret_alloc(struct cli_secret *s, size_t cap, struct err *e)
{
	cli_secret_release(s);
	s->buf = sodium_malloc(cap);
	if (!s->buf)
		return err_set(e, ERR_NOMEM, "out of memory for a secret");
	return 0;
}

/*
 * Read one line from fd into buf (at most cap bytes, the newline and a
 * trailing \r stripped).  Byte by byte: never reads past the newline.
 */
static enum line_status read_line(int fd, uint8_t *buf, size_t cap,
				  size_t *len)
{
	size_t n = 0;
	int any = 0, too_long = 0;
	uint8_t ch;
	ssize_t r;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return LINE_ERRNO;
		if (r == 0 || ch == '\n')
			break;
		any = 1;
		if (n < cap)
			buf[n++] = ch;
		else
			too_long = 1;
	}
	sodium_memzero(&ch, sizeof(ch));
	if (too_long)
		return LINE_LONG;
	if (!any && r == 0)
		return LINE_EOF;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	*len = n;
	return LINE_OK;
}

static int from_fd(int fd, struct cli_secret *out, struct err *e)
{
	enum line_status ls;
	int rc;

	rc = secret_alloc(out, CLI_SECRET_MAX, e);
	if (rc < 0)
		return rc;
	ls = read_line(fd, out->buf, CLI_SECRET_MAX, &out->len);
	if (ls == LINE_ERRNO)
		return err_set(e, CLI_ERR_USAGE,
			       "cannot read descriptor %d: %s", fd,
			       strerror(errno));
	if (ls == LINE_EOF)
		return err_set(e, CLI_ERR_USAGE,
			       "no passphrase line on descriptor %d", fd);
	if (ls == LINE_LONG)
		return err_set(e, ERR_INVALID,
			       "passphrase on descriptor %d longer than %d "
			       "bytes", fd, CLI_SECRET_MAX);
	out->kind = KEYSLOT_PASSPHRASE;
	return 0;
}

static int from_env(const char *name, const char *val,
		    struct cli_secret *out, struct err *e)
{
	size_t n = strlen(val);
	int rc;

	if (n > CLI_SECRET_MAX)
		return err_set(e, ERR_INVALID, "%s longer than %d bytes", name,
			       CLI_SECRET_MAX);
	rc = secret_alloc(out, CLI_SECRET_MAX, e);
	if (rc < 0)
		return rc;
	memcpy(out->buf, val, n);
	out->len = n;
	out->kind = KEYSLOT_PASSPHRASE;
	return 0;
}

/* ---- key files ---- */

static int keyfile_check(int fd, const char *path, struct err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set(e, ERR_IO, "cannot stat key file %s: %s", path,
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, ERR_AUTH, "key file %s is not a regular file",
			       path);
	if (st.st_mode & 077)
		return err_set(e, ERR_AUTH,
			       "key file %s is accessible by group or others "
			       "(chmod 600 it)", path);
	if (st.st_size != KEYSLOT_KEYFILEBYTES)
		return err_set(e, ERR_AUTH,
			       "key file %s must hold exactly %d bytes", path,
			       KEYSLOT_KEYFILEBYTES);
	return 0;
}

static int keyfile_read(const char *path, struct cli_secret *out,
			struct err *e)
{
	size_t n = 0;
	ssize_t r;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       "cannot open key file %s: %s", path,
			       strerror(errno));
	rc = keyfile_check(fd, path, e);
	if (rc < 0)
		goto out;
	rc = secret_alloc(out, KEYSLOT_KEYFILEBYTES, e);
	if (rc < 0)
		goto out;
	while (n < KEYSLOT_KEYFILEBYTES) {
		r = read(fd, out->buf + n, KEYSLOT_KEYFILEBYTES - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = err_set(e, ERR_IO, "cannot read key file %s",
				     path);
			goto out;
		}
		n += (size_t)r;
	}
	out->len = n;
	out->kind = KEYSLOT_KEYFILE;
out:
	close(fd);
	return rc;
}

/* fsync the directory holding path, so a new file's entry is durable. */
static void sync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		n = (size_t)(slash - path);
		if (n == 0)
			n = 1; /* "/file" */
		if (n >= sizeof(dir))
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len) {
		r = write(fd, buf + n, len - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		n += (size_t)r;
	}
	return 0;
}

/*
 * The new key to standard output ("-"): for a pipe into `systemd-creds
 * encrypt`, so that a service's key file never lies on a disk in the
 * clear.  Never to a terminal, where it would be shown.
 */
static int keyfile_to_stdout(struct cli_secret *out, struct err *e)
{
	int rc;

	if (isatty(STDOUT_FILENO))
		return err_set(e, CLI_ERR_USAGE, "--key-file -: standard "
			       "output is a terminal (pipe it into "
			       "systemd-creds encrypt)");
	rc = secret_alloc(out, KEYSLOT_KEYFILEBYTES, e);
	if (rc < 0)
		return rc;
	randombytes_buf(out->buf, KEYSLOT_KEYFILEBYTES);
	out->len = KEYSLOT_KEYFILEBYTES;
	out->kind = KEYSLOT_KEYFILE;
	if (write_all(STDOUT_FILENO, out->buf, out->len) < 0) {
		rc = err_set(e, ERR_IO, "cannot write the key to standard "
			     "output: %s", strerror(errno));
		cli_secret_release(out);
	}
	return rc;
}

int cli_keyfile_create(const char *path, struct cli_secret *out,
		       struct err *e)
{
	int fd, rc, made = 0;

	if (strcmp(path, "-") == 0)
		return keyfile_to_stdout(out, e);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		rc = err_set(e, errno == EEXIST ? ERR_EXISTS : ERR_IO,
			     "cannot create key file %s: %s", path,
			     strerror(errno));
		goto out;
	}
	made = 1;
	rc = secret_alloc(out, KEYSLOT_KEYFILEBYTES, e);
	if (rc < 0)
		goto out;
	randombytes_buf(out->buf, KEYSLOT_KEYFILEBYTES);
	out->len = KEYSLOT_KEYFILEBYTES;
	out->kind = KEYSLOT_KEYFILE;
	if (write_all(fd, out->buf, out->len) < 0 || fsync(fd) < 0) {
		rc = err_set(e, ERR_IO, "cannot write key file %s: %s", path,
			     strerror(errno));
		goto out;
	}
	rc = close(fd);
	fd = -1;
	if (rc < 0) {
		rc = err_set(e, ERR_IO, "cannot write key file %s: %s", path,
			     strerror(errno));
		goto out;
	}
	sync_parent(path);
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0) {
		if (made)
			unlink(path);
		cli_secret_release(out);
	}
	return rc;
}

/* ---- the terminal ---- */

static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved;
static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define TTY_NSIG (sizeof(tty_signals) / sizeof(tty_signals[0]))

/* Restore the echo, then die of the signal as we would have. */
static void tty_on_signal(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void tty_write(int fd, const char *s)
{
	(void)write_all(fd, (const uint8_t *)s, strlen(s));
}

/*
 * Read one line from the terminal with echo off: 0 (*no_tty set when fd
 * is not a terminal, nothing read) or a negative ERR_*.
 */
static int tty_read(int fd, const char *prompt, struct cli_secret *out,
		    int *no_tty, struct err *e)
{
	struct sigaction sa, old[TTY_NSIG];
	struct termios quiet;
	enum line_status ls;
	size_t i;
	int rc;

	*no_tty = tcgetattr(fd, &tty_saved) < 0;
	if (*no_tty)
		return 0;
	rc = secret_alloc(out, CLI_SECRET_MAX, e);
	if (rc < 0)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	tty_fd = fd;
	for (i = 0; i < TTY_NSIG; i++)
		sigaction(tty_signals[i], &sa, &old[i]);
	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	tty_write(fd, prompt);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	ls = read_line(fd, out->buf, CLI_SECRET_MAX, &out->len);
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd = -1;
	for (i = 0; i < TTY_NSIG; i++)
		sigaction(tty_signals[i], &old[i], NULL);
	tty_write(fd, "\n");
	if (ls == LINE_LONG)
		return err_set(e, ERR_INVALID,
			       "passphrase longer than %d bytes",
			       CLI_SECRET_MAX);
	if (ls != LINE_OK || out->len == 0)
		return err_set(e, CLI_ERR_USAGE, "no passphrase entered");
	out->kind = KEYSLOT_PASSPHRASE;
	return 0;
}

/* Prompt on /dev/tty: 0 (*no_tty set when there is no terminal, nothing
 * read) or ERR_*. */
static int tty_prompt(const char *prompt, struct cli_secret *out,
		      int *no_tty, struct err *e)
{
	int fd, rc;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	*no_tty = fd < 0;
	if (*no_tty)
		return 0;
	rc = tty_read(fd, prompt, out, no_tty, e);
	close(fd);
	return rc;
}

/* Two prompts that must match (*no_tty as for tty_prompt()). */
static int tty_prompt_new(const char *who, struct cli_secret *out,
			  int *no_tty, struct err *e)
{
	struct cli_secret again;
	char prompt[128];
	int rc;

	cli_secret_init(&again);
	snprintf(prompt, sizeof(prompt), "New passphrase for %s: ", who);
	rc = tty_prompt(prompt, out, no_tty, e);
	if (rc != 0 || *no_tty)
		goto out;
	rc = tty_prompt("Repeat: ", &again, no_tty, e);
	if (rc != 0 || *no_tty)
		goto out;
	if (again.len != out->len ||
	    sodium_memcmp(again.buf, out->buf, out->len) != 0)
		rc = err_set(e, ERR_INVALID, "the passphrases do not match");
out:
	cli_secret_release(&again);
	return rc;
}

/* ---- the orders of the spec ---- */

int cli_secret_unlock(const struct cli *c, const char *operator,
		      const char *key_file, struct cli_secret *out,
		      struct err *e)
{
	const char *kf = key_file;
	const char *pass = getenv("PRESIDIO_PASSPHRASE");
	char prompt[128];
	int rc, no_tty = 0;

	if (!kf && c->conf.v)
		kf = conf_str(&c->conf, "key_file");
	if (kf)
		return keyfile_read(kf, out, e);
	if (c->pass_fd >= 0)
		return from_fd(c->pass_fd, out, e);
	if (pass)
		return from_env("PRESIDIO_PASSPHRASE", pass, out, e);
	if (operator)
		snprintf(prompt, sizeof(prompt), "Passphrase for %s: ",
			 operator);
	else
		snprintf(prompt, sizeof(prompt), "Passphrase: ");
	rc = tty_prompt(prompt, out, &no_tty, e);
	if (rc == 0 && no_tty)
		rc = err_set(e, CLI_ERR_USAGE,
			     "no passphrase: give --passphrase-fd N or set "
			     "PRESIDIO_PASSPHRASE (or run on a terminal)");
	return rc;
}

static int new_source(const struct cli *c, const char *who,
		      int with_unlock_sources, struct cli_secret *out,
		      struct err *e)
{
	const char *np = getenv("PRESIDIO_NEW_PASSPHRASE");
	const char *pass = getenv("PRESIDIO_PASSPHRASE");
	int rc, no_tty = 0;

	if (c->new_pass_fd >= 0)
		return from_fd(c->new_pass_fd, out, e);
	if (np)
		return from_env("PRESIDIO_NEW_PASSPHRASE", np, out, e);
	if (with_unlock_sources && c->pass_fd >= 0)
		return from_fd(c->pass_fd, out, e);
	if (with_unlock_sources && pass)
		return from_env("PRESIDIO_PASSPHRASE", pass, out, e);
	rc = tty_prompt_new(who, out, &no_tty, e);
	if (rc == 0 && no_tty)
		rc = err_set(e, CLI_ERR_USAGE,
			     "no new passphrase: give --new-passphrase-fd N "
			     "or set PRESIDIO_NEW_PASSPHRASE (or run on a "
			     "terminal)");
	return rc;
}

int cli_secret_new(const struct cli *c, const char *who,
		   int with_unlock_sources, struct cli_secret *out,
		   struct err *e)
{
	int rc;

	rc = new_source(c, who, with_unlock_sources, out, e);
	if (rc < 0)
		goto out;
	if (out->len < KEYSLOT_PASS_MIN)
		rc = err_set(e, ERR_INVALID,
			     "passphrase shorter than %d bytes",
			     KEYSLOT_PASS_MIN);
out:
	if (rc < 0)
		cli_secret_release(out);
	return rc;
}
