/*
 * log.h - the one place that writes operational logs.
 *
 * A node logs what happened (node created, import finished, key rotated,
 * operator removed) with counts, ids and operator names, never field values,
 * passphrases or keys: the log is a file on the same disk as the encrypted
 * store and must not undo its encryption.  Lines go to the file given to
 * log_open() (append, mode 0600) and, from LOG_WARN up, to stderr.
 * Without log_open() only stderr is written.  Not thread-safe beyond what
 * stdio gives; the HTTP layer will serialise through it.
 *
 * Every line starts with a stable event name ("sync.round",
 * "hub.refused"): lower case words joined by '.', documented in the
 * README, so that monitoring can match lines without parsing prose.
 *
 * Under systemd (stderr is the journal's stream: $JOURNAL_STREAM names
 * stderr's device and inode) every line from the set level up goes to
 * stderr only, prefixed with its syslog priority ("<6>" info, "<4>"
 * warning, sd-daemon(3)), which journald strips and keeps as PRIORITY=;
 * no file is written, since the journal is the service's log.
 */
#ifndef PRESIDIO_LOG_H
#define PRESIDIO_LOG_H

#include "common/err.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Open (create) the log file.  Returns 0 or ERR_IO with a message in e. */
int log_open(const char *path, struct err *e) ERR_MUST_USE;

/* Close the log file, if open.  Safe to call twice. */
void log_close(void);

/* Set the lowest level that is written (default LOG_INFO). */
void log_set_level(enum log_level level);

/* When quiet, warnings are not copied to stderr (the CLI prints them). */
void log_set_quiet(int quiet);

/* 1 when lines go to the journal (see above).  Decided once, at the
 * first call. */
int log_to_journal(void);

/* One line: "event: message".  event is a static string. */
void log_write(enum log_level level, const char *event, const char *fmt, ...)
	ERR_PRINTF(3, 4);

#define log_debug(event, ...) log_write(LOG_DEBUG, event, __VA_ARGS__)
#define log_info(event, ...) log_write(LOG_INFO, event, __VA_ARGS__)
#define log_warn(event, ...) log_write(LOG_WARN, event, __VA_ARGS__)
#define log_error(event, ...) log_write(LOG_ERROR, event, __VA_ARGS__)

#endif
