/*
 * test_hub_fingerprint.c - hub_schema_fingerprint() (sync/hub.c): the
 * contract two nodes compare covers names, ids, types, flags and declared
 * values (an ENUM_SET's too) but not what people read (labels, help,
 * doc), so that rewording a form never stops a node from syncing.
 */
#include <string.h>

#include "schema/schema.h"
#include "sync/hub.h"
#include "tests/schema/collections.h"
#include "tests/test.h"

static const char *const vals[] = { "a", "b", NULL };
static const char *const vals2[] = { "a", "c", NULL };
static const char *const labels[] = { "A", "B", NULL };
static const char *const labels2[] = { "Uno", "Due", NULL };

/* The fingerprint with collection test_fp (one field f, collection
 * label and help as given) registered next to the usual sets, into fp;
 * then back to the usual sets.  0, or the registration's error. */
static int fingerprint_with(const struct schema_field *f, const char *label,
			    const char *help, char fp[33])
{
	const struct schema_collection c = {
		.name = "test_fp", .id = 98, .kind = SCHEMA_RECORDS,
		.fields = f, .nfields = 1, .doc = "tests only", .label = label,
		.help = help,
	};
	struct schema_set sets[4] = { schema_product, test_schema_set,
				      test_rules_set, { &c, 1 } };
	int rc = schema_register(sets, 4, NULL);

	if (rc == 0)
		hub_schema_fingerprint(fp);
	if (schema_register(sets, 3, NULL))
		rc = 1;
	return rc;
}

static void test_fingerprint_ignores_labels_not_values(void)
{
	struct schema_field f = {
		.name = "s", .id = 1, .type = SCHEMA_ENUM_SET, .values = vals,
		.value_labels = labels, .label = "Stato",
		.help = "Uno stato.", .doc = "a set",
	};
	char base[33], fp[33], usual[33], again[33];

	hub_schema_fingerprint(usual);
	CHECK_OK(fingerprint_with(&f, "Prova", "Aiuto.", base));
	CHECK(strcmp(base, usual) != 0);
	/* what people read: no change */
	f.value_labels = labels2;
	f.label = "Condizione";
	f.help = "Un'altra spiegazione.";
	f.doc = "reworded";
	CHECK_OK(fingerprint_with(&f, "Altra prova", "Altro aiuto.", fp));
	CHECK(strcmp(fp, base) == 0);
	/* the contract: a declared value of the ENUM_SET, its type, a
	 * flag */
	f.values = vals2;
	CHECK_OK(fingerprint_with(&f, "Prova", "Aiuto.", fp));
	CHECK(strcmp(fp, base) != 0);
	f.values = vals;
	f.type = SCHEMA_ENUM;
	CHECK_OK(fingerprint_with(&f, "Prova", "Aiuto.", fp));
	CHECK(strcmp(fp, base) != 0);
	f.type = SCHEMA_ENUM_SET;
	f.flags = SCHEMA_PERSONAL;
	CHECK_OK(fingerprint_with(&f, "Prova", "Aiuto.", fp));
	CHECK(strcmp(fp, base) != 0);
	/* and back to the usual sets */
	hub_schema_fingerprint(again);
	CHECK(strcmp(again, usual) == 0);
}

TEST_MAIN(T(test_fingerprint_ignores_labels_not_values))
