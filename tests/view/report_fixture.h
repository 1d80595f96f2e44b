/*
 * report_fixture.h - the hub store test_view_report.c reports on: 22
 * synthetic cases written through the store API with a clock the test
 * moves (Puglia 12 walked to in_charge, 2 of them closed; Sicilia 6
 * opened as submitted and validated; Campania 3 identified; Calabria 1
 * submitted), their doti, ledger entries, services, consents and
 * referrals, with every id written kept in recs (and whether it is
 * Sicilia's, for the node's scope).  Personal values are marked words
 * (Zorbatest, Quagliarulo, ...) the report must never show.
 * Header-only: static inline.
 */
#ifndef PRESIDIO_TEST_VIEW_REPORT_FIXTURE_H
#define PRESIDIO_TEST_VIEW_REPORT_FIXTURE_H

#include "tests/view/view_fixture.h"

#include <stdarg.h>

#define DAY 86400000ull
#define T0 (1767225600000ull + 4 * DAY) /* 2026-01-05 00:00 UTC */
#define NREC 1024

static uint64_t now_ms;
static struct {
	struct id id;
	int sicilia;
} recs[NREC];
static size_t nrecs;

static inline uint64_t test_clock(void *ctx)
{
	(void)ctx;
	return now_ms;
}

/* Write JSON built from fmt into coll (id NULL: a new record, kept in
 * recs with its region flag); 0 or the store's error. */
static inline int putf(struct store *s, const char *coll, const struct id *id,
		       int sicilia, struct id *out, const char *fmt, ...)
	ERR_PRINTF(6, 7);

static inline int putf(struct store *s, const char *coll, const struct id *id,
		       int sicilia, struct id *out, const char *fmt, ...)
{
	struct store_put_result res;
	char json[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(json, sizeof(json), fmt, ap);
	va_end(ap);
	rc = put_json(s, coll, id, json, &res);
	if (rc == 0 && !id && nrecs < NREC) {
		recs[nrecs].id = res.id;
		recs[nrecs++].sicilia = sicilia;
	}
	if (rc == 0 && out)
		*out = res.id;
	return rc;
}

static inline int put_stage(struct store *s, const struct id *c,
			    const char *stage)
{
	return putf(s, "case", c, 0, NULL, "{\"bdi_stage\":\"%s\"}", stage);
}

/* A person and a case of region opened at bdi_stage first, path stage. */
static inline int open_case(struct store *s, const char *region,
			    const char *first, const char *path, int n,
			    struct id *c)
{
	char pid[ID_TEXT_LEN + 1];
	int sic = strcmp(region, "Sicilia") == 0;
	struct id p;

	if (putf(s, "person", NULL, sic, &p,
		 "{\"given_name\":\"Zorbatest%02d\",\"family_name\":"
		 "\"Quagliarulo\",\"tax_code\":\"QGLZRB80A01H501X\"}", n))
		return -1;
	id_format(&p, pid);
	return putf(s, "case", NULL, sic, c,
		    "{\"person_id\":\"%s\",\"region\":\"%s\",\"stage\":\"%s\","
		    "\"bdi_stage\":\"%s\"}", pid, region, path, first);
}

/* A child of case c (or of dote c): the JSON's rest after the ref. */
static inline int child(struct store *s, const char *coll, const char *ref,
			const struct id *c, int sic, struct id *out,
			const char *rest)
{
	char cid[ID_TEXT_LEN + 1];

	id_format(c, cid);
	return putf(s, coll, NULL, sic, out, "{\"%s\":\"%s\",%s}", ref, cid,
		    rest);
}

/* The steps' requirements (schema/rule.h) are met on the way, so the
 * fixture stays valid once they are enforced. */
static inline int validate(struct store *s, const struct id *c, int sic)
{
	return child(s, "assessment", "case_id", c, sic, NULL,
		     "\"situation\":\"Situazionesegreta\","
		     "\"decision\":\"eligible\"") ||
	       put_stage(s, c, "validated");
}

static inline int ledger(struct store *s, const struct id *d, int sic,
			 const char *area, long long cents, const char *kind)
{
	char rest[256];

	snprintf(rest, sizeof(rest),
		 "\"area\":\"%s\",\"amount_cents\":%lld,\"date\":"
		 "\"2026-03-01\",\"kind\":\"%s\",\"description\":"
		 "\"Affittosegreto\"", area, cents, kind);
	return child(s, "ledger", "dote_id", d, sic, NULL, rest);
}

static inline int dote(struct store *s, const struct id *c, int sic,
		       const char *partner, struct id *d)
{
	char rest[256];

	snprintf(rest, sizeof(rest),
		 "\"partner\":\"%s\",\"status\":\"assigned\",\"start_date\":"
		 "\"2026-02-01\",\"planned_end\":\"2026-06-01\"", partner);
	return child(s, "dote", "case_id", c, sic, d, rest);
}

static inline int service(struct store *s, const struct id *c, int sic,
			  const char *type)
{
	char rest[128];

	snprintf(rest, sizeof(rest),
		 "\"service_type\":\"%s\",\"date\":\"2026-03-02\"", type);
	return child(s, "service", "case_id", c, sic, NULL, rest);
}

/* Puglia: 12 cases walked to in_charge (2 closed), identified ->
 * submitted i+1 days, then 3, 5 and 1 days; a dote each (12 spend on
 * housing, 3 on labour), services and 7 referrals (2 accepted). */
static inline int puglia(struct store *s, int i)
{
	struct id c, d, r;
	int rc;

	now_ms = T0 + (uint64_t)i * 30 * DAY;
	rc = open_case(s, "Puglia", "identified", "intake", i, &c);
	now_ms += (uint64_t)(i + 1) * DAY;
	rc = rc || put_stage(s, &c, "submitted");
	now_ms += 3 * DAY;
	rc = rc || validate(s, &c, 0);
	now_ms += 5 * DAY;
	rc = rc || putf(s, "case", &c, 0, NULL,
			"{\"attuatore\":\"att-puglia\","
			"\"bdi_stage\":\"matched\"}");
	rc = rc || dote(s, &c, 0, "puglia", &d);
	rc = rc || child(s, "profile", "case_id", &c, 0, NULL,
			 "\"kind\":\"entry\"");
	rc = rc || child(s, "plan", "case_id", &c, 0, NULL,
			 "\"status\":\"agreed\"");
	now_ms += DAY;
	rc = rc || putf(s, "case", &c, 0, NULL,
			"{\"bdi_stage\":\"in_charge\",\"stage\":\"active\"}");
	if (i < 2) {
		rc = rc || child(s, "profile", "case_id", &c, 0, NULL,
				 "\"kind\":\"exit\"");
		now_ms += DAY;
		rc = rc || putf(s, "case", &c, 0, NULL,
				"{\"bdi_stage\":\"closed\","
				"\"stage\":\"closed\"}");
	}
	rc = rc || ledger(s, &d, 0, "housing", 100000, "commitment");
	if (i < 3)
		rc = rc || ledger(s, &d, 0, "labour", 20000, "expense");
	rc = rc || service(s, &c, 0, "orientation");
	if (i < 2)
		rc = rc || service(s, &c, 0, "mediation");
	if (i < 7) {
		rc = rc || child(s, "consent", "case_id", &c, 0, NULL,
				 "\"purpose\":\"referral\","
				 "\"given_on\":\"2026-02-02\"");
		rc = rc || child(s, "referral", "case_id", &c, 0, &r,
				 "\"status\":\"proposed\","
				 "\"reason\":\"Motivosegreto\","
				 "\"sent_on\":\"2026-02-03\"");
		if (i < 2)
			rc = rc || putf(s, "referral", &r, 0, NULL,
					"{\"status\":\"accepted\"}");
	}
	return rc;
}

/* Sicilia: 6 cases opened as submitted, validated 10 days later, a
 * dote each spending on housing (one reversal) and integration. */
static inline int sicilia(struct store *s, int j)
{
	struct id c, d;
	int rc;

	now_ms = T0 + (uint64_t)(12 + j) * 30 * DAY;
	rc = open_case(s, "Sicilia", "submitted", "assessment", 20 + j, &c);
	now_ms += 10 * DAY;
	rc = rc || validate(s, &c, 1);
	rc = rc || dote(s, &c, 1, "sicilia", &d);
	rc = rc || ledger(s, &d, 1, "housing", 50000, "commitment");
	rc = rc || ledger(s, &d, 1, "integration", 30000, "expense");
	if (j == 0)
		rc = rc || ledger(s, &d, 1, "housing", -10000, "reversal");
	rc = rc || service(s, &c, 1, "orientation");
	return rc;
}

/* The month after Sicilia's first case (2026-12-31) and Puglia's last
 * (2026-12-01): reports cover whole months (view/view_report.h). */
#define SICILIA_FROM "2027-01"

static inline struct store *hub_fixture(void)
{
	struct store *s = fixture_node("hub", STORE_ROLE_HUB, "m.rossi");
	struct id c;
	int rc = s ? 0 : -1;

	nrecs = 0;
	if (rc == 0) {
		store_set_clock(s, test_clock, NULL);
		rc = store_begin(s, NULL);
	}
	for (int i = 0; rc == 0 && i < 12; i++)
		rc = puglia(s, i);
	for (int j = 0; rc == 0 && j < 6; j++)
		rc = sicilia(s, j);
	for (int k = 0; rc == 0 && k < 3; k++) {
		now_ms += DAY;
		rc = open_case(s, "Campania", "identified", "intake", 40 + k,
			       &c) ||
		     service(s, &c, 0, "legal_protection");
	}
	now_ms += DAY;
	rc = rc || open_case(s, "Calabria", "submitted", "assessment", 50, &c);
	if (rc == 0)
		rc = store_commit(s, NULL);
	if (rc) {
		store_close(s);
		return NULL;
	}
	return s;
}

#endif
