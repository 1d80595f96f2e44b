/*
 * enumset.h - the one order an ENUM_SET is kept in (schema.h,
 * SCHEMA_ENUM_SET), so that a set compares equal to itself whatever order
 * it was typed in.
 *
 * A set's items are sorted in the field's declaration order; an item the
 * field does not declare (appended by the next schema version, and kept by
 * schema_validate_received()) comes after every declared one, and such
 * items among themselves in byte order.  The store sorts every local write
 * before sealing it (node/store_record.c), so that writing the same set in
 * another order is no change, and two nodes writing the same set in
 * different orders do not conflict (the merge compares values as JSON).
 * Values received from another node were sorted by their writer.
 *
 * Pure functions over Jansson values: no I/O, nothing kept between calls.
 */
#ifndef PRESIDIO_SCHEMA_ENUMSET_H
#define PRESIDIO_SCHEMA_ENUMSET_H

#include <jansson.h>

#include "schema/schema.h"

/*
 * A new array holding the items of set (an array of strings, as
 * schema_validate() accepts for f) in the order above; the items are
 * shared with set.  NULL when out of memory or set is not an array.
 */
json_t *enumset_sorted(const struct schema_field *f, const json_t *set);

/*
 * fields (a JSON object of c's values, already validated) with every
 * ENUM_SET value sorted (enumset_sorted()); the other values are shared.
 * A new reference the caller releases (to fields itself when it holds no
 * set value); NULL when out of memory.
 */
json_t *enumset_canonical(const struct schema_collection *c,
			  const json_t *fields);

#endif
