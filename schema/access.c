/*
 * access.c - the roles and the table of who reads and writes which group
 * of fields (schema/access.h).
 */
#include "schema/access.h"

#include <string.h>

#define BIT(r) (1u << (r))

struct access_role_def {
	const char *name;  /* stored and typed */
	const char *label; /* Italian */
};

static const struct access_role_def roles[ACCESS_ROLES] = {
	[ACCESS_NONE] = { "", "nessuno" },
	[ACCESS_COORDINATOR] = { "coordinatore", "Coordinatore" },
	[ACCESS_SOCIAL_WORKER] = { "assistente_sociale", "Assistente sociale" },
	[ACCESS_PSYCHOLOGIST] = { "psicologo", "Psicologo" },
	[ACCESS_MEDIATOR] = { "mediatore",
			      "Mediatore linguistico-culturale" },
	[ACCESS_LAWYER] = { "legale", "Consulente legale" },
	[ACCESS_EDUCATOR] = { "educatore", "Educatore" },
	[ACCESS_CLERK] = { "amministrativo", "Amministrativo" },
	[ACCESS_FOCAL_POINT] = { "focal_point", "Focal Point (Helpdesk)" },
	[ACCESS_SERVICE] = { "servizio", "Servizio (chiave di sistema)" },
};

struct access_group_def {
	const char *name;
	const char *label;
	unsigned read, write; /* BIT(role) */
};

#define EVERYONE                                                               \
	(BIT(ACCESS_COORDINATOR) | BIT(ACCESS_SOCIAL_WORKER) |                 \
	 BIT(ACCESS_PSYCHOLOGIST) | BIT(ACCESS_MEDIATOR) |                     \
	 BIT(ACCESS_LAWYER) | BIT(ACCESS_EDUCATOR) | BIT(ACCESS_CLERK) |       \
	 BIT(ACCESS_FOCAL_POINT) | BIT(ACCESS_SERVICE))
/* Interview notes are the path of the person: whoever works with the
 * person reads them, not the office that pays nor a service key. */
#define CARE (EVERYONE & ~(BIT(ACCESS_CLERK) | BIT(ACCESS_SERVICE)))
#define HEALTH (BIT(ACCESS_COORDINATOR) | BIT(ACCESS_PSYCHOLOGIST))
#define RESTRICTED                                                             \
	(BIT(ACCESS_COORDINATOR) | BIT(ACCESS_PSYCHOLOGIST) | BIT(ACCESS_LAWYER))

static const struct access_group_def groups[SCHEMA_GROUPS] = {
	[SCHEMA_GROUP_GENERAL] = { "generale", "Dati generali", EVERYONE,
				   EVERYONE },
	[SCHEMA_GROUP_INTERVIEW] = { "colloqui", "Note dei colloqui e del "
						 "percorso", CARE, CARE },
	[SCHEMA_GROUP_HEALTH] = { "sanitario", "Salute e sostegno psicologico",
				  HEALTH, HEALTH },
	[SCHEMA_GROUP_RESTRICTED] = { "riservato", "Note riservate "
						   "(posizione giuridica, "
						   "sfruttamento)",
				      RESTRICTED, RESTRICTED },
};

enum access_role access_role_parse(const char *name)
{
	if (!name)
		return ACCESS_NONE;
	for (int r = ACCESS_NONE + 1; r < ACCESS_ROLES; r++)
		if (strcmp(name, roles[r].name) == 0)
			return (enum access_role)r;
	return ACCESS_NONE;
}

static int role_ok(enum access_role r)
{
	return r > ACCESS_NONE && r < ACCESS_ROLES;
}

const char *access_role_name(enum access_role r)
{
	return roles[role_ok(r) ? r : ACCESS_NONE].name;
}

const char *access_role_label(enum access_role r)
{
	return roles[role_ok(r) ? r : ACCESS_NONE].label;
}

const char *access_group_name(enum schema_group g)
{
	return g < SCHEMA_GROUPS ? groups[g].name : "?";
}

const char *access_group_label(enum schema_group g)
{
	return g < SCHEMA_GROUPS ? groups[g].label : "?";
}

int access_group_read(enum access_role r, enum schema_group g)
{
	return role_ok(r) && g < SCHEMA_GROUPS && (groups[g].read & BIT(r));
}

int access_group_write(enum access_role r, enum schema_group g)
{
	return role_ok(r) && g < SCHEMA_GROUPS && (groups[g].write & BIT(r));
}

int access_reads_all(enum access_role r)
{
	for (int g = 0; g < SCHEMA_GROUPS; g++)
		if (!access_group_read(r, (enum schema_group)g))
			return 0;
	return 1;
}

int access_manages_operators(enum access_role r)
{
	return r == ACCESS_COORDINATOR || r == ACCESS_FOCAL_POINT;
}

/* The group of field name of c; -1 when c does not declare it. */
static int group_of(const struct schema_collection *c, const char *name)
{
	const struct schema_field *f;

	if (strcmp(name, SCHEMA_FIELD_DELETED_NAME) == 0)
		return SCHEMA_GROUP_GENERAL;
	f = c ? schema_field(c, name) : NULL;
	return f ? (int)f->group : -1;
}

int access_field_read(enum access_role r, const struct schema_collection *c,
		      const char *name)
{
	int g = group_of(c, name);

	return g < 0 ? access_reads_all(r)
		     : access_group_read(r, (enum schema_group)g);
}

int access_field_write(enum access_role r, const struct schema_collection *c,
		       const char *name)
{
	int g = group_of(c, name);

	return g < 0 ? access_reads_all(r)
		     : access_group_write(r, (enum schema_group)g);
}

size_t access_withhold(enum access_role r, const struct schema_collection *c,
		       json_t *fields)
{
	const char *key;
	json_t *v;
	void *tmp;
	size_t n = 0;

	if (!json_is_object(fields) || access_reads_all(r))
		return 0;
	json_object_foreach_safe(fields, tmp, key, v)
	{
		if (!access_field_read(r, c, key)) {
			json_object_del(fields, key);
			n++;
		}
	}
	return n;
}

int access_check_write(enum access_role r, const struct schema_collection *c,
		       const json_t *fields, struct err *e)
{
	const char *key;
	json_t *v;

	if (!role_ok(r))
		return err_set(e, ERR_DENIED,
			       "l'operatore non ha un ruolo: non può scrivere");
	json_object_foreach((json_t *)fields, key, v)
	{
		const struct schema_field *f;

		if (access_field_write(r, c, key))
			continue;
		f = c ? schema_field(c, key) : NULL;
		if (!f)
			return err_set(e, ERR_DENIED,
				       "il ruolo %s non può scrivere il campo "
				       "'%s', che questa versione non conosce",
				       roles[r].name,
				       schema_name_ok(key) ? key : "?");
		return err_set(e, ERR_DENIED,
			       "il ruolo %s non può scrivere il campo '%s' "
			       "(%s, gruppo %s)",
			       roles[r].name, f->name, schema_field_label(f),
			       groups[f->group].name);
	}
	return 0;
}
