/*
 * schema_int.h - what schema.c and schema_check.c share and nothing else
 * includes: the limits of values and declarations, and the parent a
 * collection's scope follows.
 */
#ifndef PRESIDIO_SCHEMA_INT_H
#define PRESIDIO_SCHEMA_INT_H

#include "schema/schema.h"

#define STRING_MAX 1024  /* bytes in a STRING or STRING_LIST element */
#define TEXT_MAX 65536   /* bytes in a TEXT */
#define LIST_MAX 64      /* elements in a STRING_LIST or an ENUM_SET */
#define FIELDS_MAX 255   /* fields in a collection (version.h relies on it) */

#define KNOWN_FLAGS                                                            \
	(SCHEMA_REQUIRED | SCHEMA_PERSONAL | SCHEMA_HUB_ONLY | SCHEMA_FIXED)

#endif
