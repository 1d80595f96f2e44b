/* err.c - see err.h. */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_init(struct err *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char tail[ERR_MSG_MAX];
	va_list ap;
	int n;

	if (!e)
		return ERR_FAIL;
	if (!e->code)
		e->code = ERR_FAIL;
	memcpy(tail, e->msg, sizeof(tail));
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* Append ": " and the old message, truncating at the end. */
	if (n >= 0 && (size_t)n < sizeof(e->msg)) {
		size_t used = (size_t)n;
		size_t room = sizeof(e->msg) - used;
		size_t tlen = strnlen(tail, sizeof(tail) - 1);

		if (room > 2) {
			memcpy(e->msg + used, ": ", 2);
			used += 2;
			room -= 2;
			if (tlen >= room)
				tlen = room - 1;
			memcpy(e->msg + used, tail, tlen);
			e->msg[used + tlen] = '\0';
		}
	}
	return e->code;
}

const char *err_code_name(int code)
{
	switch (code) {
	case ERR_OK: return "ok";
	case ERR_INVALID: return "invalid";
	case ERR_NOTFOUND: return "not_found";
	case ERR_AUTH: return "auth";
	case ERR_CORRUPT: return "corrupt";
	case ERR_IO: return "io";
	case ERR_BUSY: return "busy";
	case ERR_NOMEM: return "nomem";
	case ERR_EXISTS: return "exists";
	case ERR_CONFLICT: return "conflict";
	case ERR_DENIED: return "denied";
	case ERR_GONE: return "erased";
	default: return "internal";
	}
}
