/*
 * scope.h - who may see a case: the access rule, as pure logic.
 *
 * The hub sends a node exactly the records of its scope and refuses its
 * writes outside it (sync/hub.c); the store keeps which node sees which
 * case (registry/registry_scope.c) and asks this module.  The rule, from the
 * programme's guideline: the hub sees everything; a Punto di Accesso acts
 * for its region (every case of it) and for the cases assigned to it; a
 * Polo and a soggetto attuatore see the cases assigned to them.  A case
 * assigned to no one belongs to the node that opened it, so that a Polo
 * working offline keeps what it enters until someone hands it over.
 *
 * No I/O, no allocation.
 */
#ifndef PRESIDIO_SCOPE_H
#define PRESIDIO_SCOPE_H

#include <jansson.h>

#define SCOPE_KIND_POLO "polo"
#define SCOPE_KIND_PDA "pda"
#define SCOPE_KIND_ATTUATORE "attuatore"

/* A node as the hub knows it. */
struct scope_peer {
	const char *name;   /* its name at the hub */
	const char *kind;   /* SCOPE_KIND_* */
	const char *region; /* its regione */
};

/* What decides a case's scope. */
struct scope_case {
	const char *region;  /* the case's regione, NULL when unknown */
	const json_t *nodes; /* array of assigned node names, or NULL */
	int opened_by_peer;  /* the peer created the case */
};

/* 1 when kind is one of SCOPE_KIND_*. */
int scope_kind_ok(const char *kind);

/* 1 when the peer sees the case. */
int scope_case_visible(const struct scope_peer *p, const struct scope_case *c);

/*
 * Who decides where a case lives (its region and its assigned nodes, the
 * fields the schema declares as scope_region and scope_nodes).  The hub
 * always does and is not asked.  A node may:
 * - open a case (scope_may_open) listing no node, or itself among those
 *   it lists: it keeps what it enters, and may share it at once with the
 *   nodes it works with; no one else's copy changes;
 * - change either field of an existing case (scope_may_hand_over) only
 *   when it is the Punto di Accesso of the case's region as it stands
 *   before the change: handing a case over adds or removes holders (a
 *   removed node's copy is purged), which only the PdA of the region or
 *   the hub may decide.
 * w is the writing node; region the case's region (opening: the new
 * case's; handing over: the current one); nodes the list written (an
 * array of names, NULL or JSON null for none).  1 when allowed.
 */
int scope_may_open(const struct scope_peer *w, const char *region,
		   const json_t *nodes);
int scope_may_hand_over(const struct scope_peer *w, const char *region);

#endif
