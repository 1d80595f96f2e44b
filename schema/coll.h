/*
 * coll.h - what the files of the product's declarations share, inside the
 * schema layer only (nothing above includes it: the rest of the program
 * reads the declarations through schema.h).
 *
 * The product's collections are declared by subject, one file each:
 * coll_person.c (the person), coll_case.c (the case and the records of
 * its path: assessment, plan, plan_goal, plan_review, profile, followup),
 * coll_service.c (service, consent, referral, service_directory) and
 * coll_dote.c (the BdI dote and its ledger).  Each file defines the field
 * tables of its collections, sized here so that collections.c, which
 * assembles the one product table (schema_product), can count them with
 * sizeof; a table declared one field short of its size ends with an
 * empty field, which schema_check() refuses.  Value lists and roles used
 * by more than one file are defined once, in collections.c.
 *
 * All of it is constant data with static storage: nothing to free.
 */
#ifndef PRESIDIO_SCHEMA_COLL_H
#define PRESIDIO_SCHEMA_COLL_H

#include <jansson.h>

#include "schema/schema.h"

#define SCHEMA_FIELDS(a) (a), sizeof(a) / sizeof((a)[0])

/* ---- shared value lists (collections.c) ---- */

/* The four areas of every dote, profile and follow-up (Budget di
 * Integrazione sec. 3): housing, health_social, integration, labour. */
extern const char *const schema_areas[5];
extern const char *const schema_area_labels[5];

/* The five regions of the programme. */
extern const char *const schema_regions[6];
extern const char *const schema_region_labels[6];

/* Roles (node kinds) that may take a step. */
extern const char *const schema_roles_hub[2];
extern const char *const schema_roles_hub_pda[3];
extern const char *const schema_roles_hub_pda_att[4];
extern const char *const schema_roles_all_kinds[5];

/* ---- the field tables (one file each, see above) ---- */

extern const struct schema_field schema_person_fields[27];
extern const struct schema_search schema_person_search;

extern const struct schema_field schema_case_fields[18];
extern const struct schema_field schema_assessment_fields[12];
extern const struct schema_field schema_plan_fields[6];
extern const struct schema_field schema_plan_goal_fields[7];
extern const struct schema_field schema_plan_review_fields[4];
extern const struct schema_field schema_profile_fields[11];
extern const struct schema_field schema_followup_fields[5];

extern const struct schema_field schema_service_fields[9];
extern const struct schema_field schema_consent_fields[7];
extern const struct schema_field schema_referral_fields[9];
extern const struct schema_field schema_directory_fields[14];

extern const struct schema_field schema_dote_fields[6];
extern const struct schema_field schema_ledger_fields[7];

/* The dote's cap on its ledger (EUR 12,000 in cents). */
#define SCHEMA_DOTE_CAP_CENTS 1200000
extern const struct schema_aggregate schema_dote_caps[1];

/* The invariants (schema.h, struct schema_collection.invariant). */
extern const struct schema_quota schema_dote_quota;
const char *schema_dote_invariant(const json_t *fields);
const char *schema_ledger_invariant(const json_t *fields);

#endif
