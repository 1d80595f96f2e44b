/*
 * le.h - unsigned integers as little-endian bytes, for the formats this
 * project writes itself (sealed boxes, row MACs, the change log's mark):
 * one definition, so that every writer and reader agrees on the order.
 * Header only; no state.
 */
#ifndef PRESIDIO_LE_H
#define PRESIDIO_LE_H

#include <stdint.h>

static inline void le_put32(uint8_t *p, uint32_t v)
{
	for (int b = 0; b < 4; b++)
		p[b] = (uint8_t)(v >> (8 * b));
}

static inline uint32_t le_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void le_put64(uint8_t *p, uint64_t v)
{
	for (int b = 0; b < 8; b++)
		p[b] = (uint8_t)(v >> (8 * b));
}

static inline uint64_t le_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int b = 7; b >= 0; b--)
		v = v << 8 | p[b];
	return v;
}

#endif
