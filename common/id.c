/* id.c - see id.h. */
#include "common/id.h"
#include "common/err.h"

#include <sodium.h>
#include <string.h>

void id_generate(struct id *id)
{
	randombytes_buf(id->b, sizeof(id->b));
	id->b[6] = (uint8_t)((id->b[6] & 0x0f) | 0x40); /* version 4 */
	id->b[8] = (uint8_t)((id->b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

void id_format(const struct id *id, char out[ID_TEXT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < ID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id->b[i] >> 4];
		out[o++] = hex[id->b[i] & 0x0f];
	}
	out[o] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int id_parse(struct id *id, const char *text)
{
	size_t len, n = 0;
	int dashed;

	if (!text)
		return ERR_INVALID;
	len = strlen(text);
	if (len != ID_TEXT_LEN && len != 2 * ID_BYTES)
		return ERR_INVALID;
	dashed = len == ID_TEXT_LEN;
	for (size_t i = 0; i < len;) {
		int hi, lo;

		if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (text[i] != '-')
				return ERR_INVALID;
			i++;
			continue;
		}
		hi = hexval(text[i]);
		lo = hexval(text[i + 1]);
		if (hi < 0 || lo < 0 || n >= ID_BYTES)
			return ERR_INVALID;
		id->b[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return n == ID_BYTES ? 0 : ERR_INVALID;
}

int id_cmp(const struct id *a, const struct id *b)
{
	return memcmp(a->b, b->b, ID_BYTES);
}

int id_is_zero(const struct id *id)
{
	for (size_t i = 0; i < ID_BYTES; i++)
		if (id->b[i])
			return 0;
	return 1;
}
