/* log.c - see log.h. */
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;
static enum log_level log_min = LOG_INFO;
static int log_quiet;

int log_open(const char *path, struct err *e)
{
	int fd;

	log_close();
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

void log_write(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
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
