/*
 * id.h - 128-bit random identifiers of records and nodes.
 *
 * An id is 16 random bytes laid out as an RFC 4122 version-4 UUID, shown as
 * the usual 36-character text.  Ids are routing metadata: they are stored
 * and sent in clear and carry nothing about the person they identify.
 */
#ifndef PRESIDIO_ID_H
#define PRESIDIO_ID_H

#include <stdint.h>

#define ID_BYTES 16
#define ID_TEXT_LEN 36 /* without the terminating NUL */

struct id {
	uint8_t b[ID_BYTES];
};

/* Fill id with fresh random bytes (libsodium must be initialised). */
void id_generate(struct id *id);

/* Write the 36-character lower-case text form and a NUL into out. */
void id_format(const struct id *id, char out[ID_TEXT_LEN + 1]);

/*
 * Parse the text form: 36 characters with dashes at 8-4-4-4-12, or 32 hex
 * digits, any case.  Returns 0, or ERR_INVALID for anything else.
 */
int id_parse(struct id *id, const char *text);

/* memcmp order; 0 when equal. */
int id_cmp(const struct id *a, const struct id *b);

/* True when every byte is zero (the "no id" value). */
int id_is_zero(const struct id *id);

#endif
