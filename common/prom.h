/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), written
 * into a struct buf: what /metrics answers on the hub and on a node's web
 * interface.
 *
 * A family is its "# HELP" and "# TYPE" lines, then its samples; a
 * histogram's samples are its cumulative _bucket lines (le="+Inf" last),
 * _sum and _count.  Metric and label names are the caller's constants
 * (asserted to be [a-zA-Z_][a-zA-Z0-9_]*); label values are escaped
 * (backslash, double quote, new line), so an endpoint's pattern or a
 * node's name cannot break a line.  Nothing here knows what is measured:
 * no value passed in may be personal data (ids and names of nodes,
 * endpoints, counts, seconds).
 *
 * Every function returns 0, or the buf's error (ERR_INVALID past its
 * max, ERR_NOMEM); after an error the text is incomplete and must not be
 * served.
 */
#ifndef PRESIDIO_PROM_H
#define PRESIDIO_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Up to this many labels on one sample. */
#define PROM_LABELS_MAX 4

/* A sample's labels: names[i]="values[i]", n of them (0: none). */
struct prom_labels {
	const char *names[PROM_LABELS_MAX];
	const char *values[PROM_LABELS_MAX];
	size_t n;
};

/* "# HELP name help" and "# TYPE name type" (type: counter, gauge,
 * histogram). */
int prom_family(struct buf *b, const char *name, const char *type,
		const char *help) ERR_MUST_USE;

/* One sample: name{labels} value.  Whole numbers print without a
 * fraction; NaN and infinities as Prometheus spells them. */
int prom_sample(struct buf *b, const char *name, const struct prom_labels *l,
		double value) ERR_MUST_USE;

/* A histogram's samples: counts[i] observations at most bounds[i] (not
 * cumulative: this sums them), n bounds increasing, plus over, those
 * above the last; sum of all observations. */
int prom_histogram(struct buf *b, const char *name,
		   const struct prom_labels *l, const double *bounds,
		   const uint64_t *counts, size_t n, uint64_t over,
		   double sum) ERR_MUST_USE;

#endif
