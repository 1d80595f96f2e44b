/* log.c - see log.h. */
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;
static enum log_level log_min = LOG_INFO;
static int log_quiet;
static int log_journal = -1; /* -1: not decided yet */

int log_open(const char *path, struct err *e)
{
	int fd;

	log_close();
	if (log_to_journal())
		return 0; /* the journal is the service's log */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot open log %s: %s", path,
			       strerror(errno));
	log_file = fdopen(fd, "a");
	if (!log_file) {
		close(fd);
		return err_set(e, ERR_IO, "cannot open log %s", path);
	}
	return 0;
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

void log_set_level(enum log_level level)
{
	log_min = level;
}

void log_set_quiet(int quiet)
{
	log_quiet = quiet;
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_DEBUG: return "debug";
	case LOG_INFO: return "info";
	case LOG_WARN: return "warn";
	default: return "error";
	}
}

/* syslog priorities (sd-daemon(3)'s SD_DEBUG ... SD_ERR). */
static int level_priority(enum log_level level)
{
	switch (level) {
	case LOG_DEBUG: return 7;
	case LOG_INFO: return 6;
	case LOG_WARN: return 4;
	default: return 3;
	}
}

int log_to_journal(void)
{
	const char *js;
	unsigned long long dev, ino;
	struct stat st;

	if (log_journal >= 0)
		return log_journal;
	log_journal = 0;
	js = getenv("JOURNAL_STREAM");
	/* A child of the service inherits the variable but may have its
	 * stderr elsewhere: compare the stream itself. */
	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		log_journal = 1;
	return log_journal;
}

void log_write(enum log_level level, const char *event, const char *fmt, ...)
{
	char line[1024];
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (level < log_min)
		return;
	n = snprintf(line, sizeof(line), "%s: ", event);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (log_to_journal()) {
		fprintf(stderr, "<%d>%s\n", level_priority(level), line);
		fflush(stderr);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (log_file) {
		fprintf(log_file, "%s %s [%ld] %s\n", stamp, level_name(level),
			(long)getpid(), line);
		fflush(log_file);
	}
	if (level >= LOG_WARN && !log_quiet)
		fprintf(stderr, "presidio: %s: %s\n", level_name(level), line);
}
