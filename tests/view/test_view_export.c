/*
 * test_view_export.c - a collection as CSV (view/view_export.h): the
 * header of Italian labels, values as an operator reads them, quoting,
 * formulas made harmless, deleted records left out.
 */
#include "tests/test.h"

#include <string.h>

#include "tests/view/view_fixture.h"
#include "view/view_export.h"

static char *csv_of(struct store *s, const char *coll, size_t *rows)
{
	struct buf b;
	struct err e;
	char *out = NULL;

	err_init(&e);
	buf_init(&b, VIEW_EXPORT_MAX);
	if (view_export_csv(s, coll, &b, rows, &e) == 0 &&
	    buf_append(&b, "", 1) == 0)
		out = strdup((const char *)b.data);
	buf_release(&b);
	return out;
}

static void test_export_directory(void)
{
	struct store_put_result r, gone;
	struct store *s = fresh();
	size_t rows = 0;
	char *csv = NULL;

	CHECK(s != NULL);
	CHECK_OK(put_json(s, "service_directory", NULL,
			  "{\"body\":\"Sportello; \\\"Lavoro\\\"\","
			  "\"service_type\":\"job_placement\","
			  "\"region\":\"Sicilia\",\"phone\":\"=1+2\"}", &r));
	CHECK_OK(put_json(s, "service_directory", NULL,
			  "{\"body\":\"Chiuso\",\"service_type\":\"housing\"}",
			  &gone));
	CHECK_OK(store_delete(s, &gone.id, NULL));
	csv = csv_of(s, "service_directory", &rows);
	CHECK(csv != NULL);
	CHECK(rows == 1);
	CHECK(strncmp(csv, "Identificativo;Ente;Indirizzo;Comune;", 37) == 0);
	CHECK(strstr(csv, ";\"Sportello; \"\"Lavoro\"\"\";") != NULL);
	CHECK(strstr(csv, ";'=1+2;") != NULL);
	CHECK(strstr(csv, "Orientamento e accompagnamento all'inserimento "
			  "lavorativo") != NULL);
	CHECK(strstr(csv, "Chiuso") == NULL);
	free(csv);
	store_close(s);
}

static void test_export_ledger_euro_and_dates(void)
{
	char json[512], idtext[ID_TEXT_LEN + 1];
	struct store *s = fresh();
	size_t rows = 0;
	char *csv = NULL;
	struct err e;

	CHECK(s != NULL);
	/* A dote this node never saw (received later, say): the ledger
	 * names it by id all the same. */
	snprintf(idtext, sizeof(idtext), "%s",
		 "0b4c7a1e-5d2f-4e8a-9c3b-2f1d6e7a8b9c");
	snprintf(json, sizeof(json), "{\"dote_id\":\"%s\",\"area\":"
		 "\"housing\",\"amount_cents\":125050,\"date\":"
		 "\"2026-03-05\",\"kind\":\"expense\"}", idtext);
	CHECK_OK(put_json(s, "ledger", NULL, json, NULL));
	csv = csv_of(s, "ledger", &rows);
	CHECK(csv != NULL);
	CHECK(rows == 1);
	CHECK(strstr(csv, ";Importo (euro);") != NULL);
	CHECK(strstr(csv, ";Area abitativa;1.250,50;05/03/2026;Spesa;") != NULL);
	free(csv);
	err_init(&e);
	{
		struct buf b;

		buf_init(&b, VIEW_EXPORT_MAX);
		CHECK(view_export_csv(s, "nope", &b, &rows, &e) ==
		      ERR_NOTFOUND);
		buf_release(&b);
	}
	store_close(s);
}

TEST_MAIN(T(test_export_directory), T(test_export_ledger_euro_and_dates))
