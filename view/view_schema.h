/*
 * view_schema.h - the schema as data, for the web interface's forms and
 * for operators (`presidio schema`): each collection with its Italian
 * label and help, kind, parent and scope, its fields (type, flags, merge
 * rule, reference, label, help, declared values with their labels) and
 * the steps of its procedure fields with the roles that may take them,
 * its caps and whether it has an invariant.
 *
 * Layer: a view (commands and web UI -> views -> ... -> schema); it reads
 * the declarations only (schema.h), needs no store and prints nothing.
 * Holds no personal data: declarations are constants.
 */
#ifndef PRESIDIO_VIEW_VIEW_SCHEMA_H
#define PRESIDIO_VIEW_VIEW_SCHEMA_H

#include <jansson.h>

#include "schema/access.h"
#include "schema/schema.h"

/* The wire name of a type: "string", "text", "int", "number", "bool",
 * "date", "datetime", "string_list", "enum", "ref", "enum_set"; "?" for
 * a value outside enum schema_type. */
const char *view_schema_type_name(enum schema_type t);

/* The same in Italian, for people: "testo breve", "scelta multipla"... */
const char *view_schema_type_label(enum schema_type t);

/*
 * One collection: {"name","id","label","help","doc","kind":"records"|
 * "append_only","parent":FIELD|null,"scope":"shared"|"root"|"parent"|
 * "subject","invariant":BOOL,"aggregates":[{"child","sum","cap_field",
 * "cap","doc"}],"fields":[{"name","id","type","label","help","doc",
 * "required","personal","hub_only","merge":"field"|"monotonic","group",
 * "ref":COLL (REF only),"values":[{"value","label"}] (ENUM, ENUM_SET
 * only),"transitions":[{"from":VALUE|null,"to","roles":[ROLE]|null}]
 * (procedure fields only)}]}.  A new tree the caller json_decref()s;
 * NULL when out of memory.
 */
json_t *view_schema_collection_json(const struct schema_collection *c);

/* Every collection this process knows, in declaration order, and the
 * groups of fields (schema/access.h):
 * {"version": schema_version(), "collections": [...],
 * "groups": [{"name","label"}]}; each field also says its "group".  As
 * above. */
json_t *view_schema_json(void);

/*
 * What role r reads and writes: {"role","label","read":[GROUP],
 * "write":[GROUP],"manages_operators":BOOL} (schema/access.h).  A new
 * tree, NULL when out of memory.
 */
json_t *view_schema_access_json(enum access_role r);

#endif
