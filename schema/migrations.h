/*
 * migrations.h - the versioned SQL migrations of the local store.
 *
 * Each file schema/migrations/NNNN_name.sql is one migration; the build
 * embeds them (schema/embed.sh) into a table in file order.  The store
 * applies, in one transaction each, every migration whose number is above
 * the database's PRAGMA user_version, then sets user_version to it.  A
 * migration once released is never edited: a change is a new file.
 */
#ifndef PRESIDIO_MIGRATIONS_H
#define PRESIDIO_MIGRATIONS_H

#include <stddef.h>

struct schema_migration {
	int version;      /* NNNN from the file name, strictly increasing */
	const char *name; /* file name, for messages */
	const char *sql;  /* the statements, NUL-terminated */
};

extern const struct schema_migration schema_migrations[];
extern const size_t schema_nmigrations;
extern const struct schema_migration schema_key_migrations[];
extern const size_t schema_nkey_migrations;

#endif
