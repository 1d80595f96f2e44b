/*
 * access.h - need-to-know inside a node: the operators' roles and which
 * groups of fields (enum schema_group, declared on each field) each role
 * reads and writes.
 *
 * Every operator's key slot carries one role (node/keyslot.h; the store
 * authenticates it with the slot).  The store applies these rules on
 * every read and write of its API (node/store.h): a field the role may not
 * read is left out of what it hands back (records, history, the log,
 * conflicts, refusals), so the command line, the web interface and exports
 * obey alike; a write to a field the role may not write is refused with
 * ERR_DENIED naming the field.  The merge, sync and the rules read
 * everything: they are the node's own work, not a person's reading.
 *
 * The table (access.c):
 *   general     every role;
 *   interview   everyone but amministrativo and servizio;
 *   health      coordinatore, psicologo;
 *   restricted  coordinatore, psicologo, legale.
 * Operators are managed (added, removed, given a role) by the coordinatore
 * of a node and by the Focal Point on the hub.  servizio is the role of a
 * service's key file (sync, hub serve): general fields only, since the
 * node's own work does not go through these checks.
 *
 * Pure constant data and lookups: no I/O, no state.
 */
#ifndef PRESIDIO_SCHEMA_ACCESS_H
#define PRESIDIO_SCHEMA_ACCESS_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "schema/schema.h"

/* Roles; the names (access_role_name()) are what is stored and typed. */
enum access_role {
	ACCESS_NONE = 0,       /* no role: reads and writes nothing */
	ACCESS_COORDINATOR,    /* coordinatore */
	ACCESS_SOCIAL_WORKER,  /* assistente_sociale */
	ACCESS_PSYCHOLOGIST,   /* psicologo */
	ACCESS_MEDIATOR,       /* mediatore (linguistico-culturale) */
	ACCESS_LAWYER,         /* legale */
	ACCESS_EDUCATOR,       /* educatore */
	ACCESS_CLERK,          /* amministrativo */
	ACCESS_FOCAL_POINT,    /* focal_point: the Helpdesk, on the hub */
	ACCESS_SERVICE,        /* servizio: a service's key file */
	ACCESS_ROLES
};

#define ACCESS_ROLE_NAME_MAX 24 /* longest name + NUL */

/* The role named name (exact), or ACCESS_NONE when there is none. */
enum access_role access_role_parse(const char *name);

/* The stored name ("coordinatore", ...) and the Italian label; "" and
 * "nessuno" for ACCESS_NONE or an out-of-range value. */
const char *access_role_name(enum access_role r);
const char *access_role_label(enum access_role r);

/* "generale", "colloqui", "sanitario", "riservato", and their labels. */
const char *access_group_name(enum schema_group g);
const char *access_group_label(enum schema_group g);

/* 1 when r may read (write) group g. */
int access_group_read(enum access_role r, enum schema_group g);
int access_group_write(enum access_role r, enum schema_group g);

/*
 * 1 when r may read (write) field name of c.  A name c does not declare
 * (a field of a newer schema version, carried opaque) is readable and
 * writable only by a role that reads every group: what it holds is not
 * known here.  The deletion marker is a general field.
 */
int access_field_read(enum access_role r, const struct schema_collection *c,
		      const char *name);
int access_field_write(enum access_role r, const struct schema_collection *c,
		       const char *name);

/* 1 when r reads every group (nothing is ever withheld from it). */
int access_reads_all(enum access_role r);

/* 1 when r adds and removes operators and gives them roles. */
int access_manages_operators(enum access_role r);

/*
 * Remove from fields (a JSON object of c's values, modified in place)
 * every key r may not read.  Returns how many were removed.
 */
size_t access_withhold(enum access_role r, const struct schema_collection *c,
		       json_t *fields);

/*
 * 0 when r may write every key of fields (a JSON object of c's values),
 * else ERR_DENIED naming the first field r may not write, its group and
 * the role, in Italian.
 */
int access_check_write(enum access_role r, const struct schema_collection *c,
		       const json_t *fields, struct err *e) ERR_MUST_USE;

#endif
