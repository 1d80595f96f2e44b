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

void log_write(enum log_level level, const char *fmt, ...) ERR_PRINTF(2, 3);

#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

#endif
