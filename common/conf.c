/* conf.c - see conf.h. */
#include "common/conf.h"
#include "common/date.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* A file line longer than this is refused, not cut: a cut path would
 * name another file. */
#define CONF_LINE_MAX (CONF_PATH_MAX + 256)

static ssize_t key_index(const struct conf *cf, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < cf->n; i++)
		if (strlen(cf->keys[i].name) == len &&
		    memcmp(cf->keys[i].name, name, len) == 0)
			return (ssize_t)i;
	return -1;
}

/* "30", "30s", "15m", "2h", "30d" in seconds. */
static int parse_duration(const char *s, uint64_t *out)
{
	static const struct { char c; uint64_t mul; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }
	};
	char *end;
	unsigned long long v;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > UINT32_MAX)
		return -1;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (end[0] == units[i].c && end[1] == '\0') {
			*out = v * units[i].mul;
			return 0;
		}
	return -1;
}

static int parse_uint(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int is_choice(const char *choices, const char *s)
{
	size_t len = strlen(s);
	const char *p = choices;

	while (*p) {
		size_t w = strcspn(p, "|");

		if (w == len && memcmp(p, s, len) == 0)
			return 1;
		p += w;
		if (*p == '|')
			p++;
	}
	return 0;
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Check value against the key's type; *num gets its number.  Returns 0,
 * or ERR_INVALID with "'key': ..." in e. */
static int check_value(const struct conf_key *k, const char *value,
		       uint64_t *num, struct err *e)
{
	unsigned char addr[16];

	*num = 0;
	if (!*value)
		return err_set(e, ERR_INVALID, "'%s' is empty", k->name);
	if (strlen(value) >= CONF_PATH_MAX || !printable(value))
		return err_set(e, ERR_INVALID, "'%s': not a valid value",
			       k->name);
	switch (k->type) {
	case CONF_TEXT:
	case CONF_PATH:
		return 0;
	case CONF_URL:
		if (strncmp(value, "https://", 8) && strncmp(value, "http://", 7))
			return err_set(e, ERR_INVALID, "'%s': not an https:// "
				       "or http:// URL", k->name);
		return 0;
	case CONF_ADDR:
		if (inet_pton(AF_INET, value, addr) != 1 &&
		    inet_pton(AF_INET6, value, addr) != 1)
			return err_set(e, ERR_INVALID, "'%s': not an IPv4 or "
				       "IPv6 address", k->name);
		return 0;
	case CONF_UINT:
		if (parse_uint(value, num) < 0 || *num < k->min ||
		    *num > k->max)
			return err_set(e, ERR_INVALID, "'%s': not a whole "
				       "number from %llu to %llu", k->name,
				       (unsigned long long)k->min,
				       (unsigned long long)k->max);
		return 0;
	case CONF_DURATION:
		if (parse_duration(value, num) < 0 || *num < k->min ||
		    *num > k->max)
			return err_set(e, ERR_INVALID, "'%s': not a duration "
				       "from %llu to %llu seconds (a number, "
				       "or with s, m, h or d)", k->name,
				       (unsigned long long)k->min,
				       (unsigned long long)k->max);
		return 0;
	case CONF_CHOICE:
		if (!is_choice(k->choices, value))
			return err_set(e, ERR_INVALID, "'%s': one of %s",
				       k->name, k->choices);
		return 0;
	case CONF_DATE: {
		int ymd[3];

		if (date_parse(value, ymd))
			return err_set(e, ERR_INVALID, "'%s': not a date "
				       "YYYY-MM-DD", k->name);
		return 0;
	}
	}
	return err_set(e, ERR_FAIL, "'%s': unknown type", k->name);
}

/* Store a checked value for key i. */
static int put(struct conf *cf, size_t i, const char *value,
	       enum conf_source src, unsigned line, const char *origin,
	       struct err *e)
{
	struct conf_value *v = &cf->v[i];
	uint64_t num;
	char *copy;
	int rc;

	rc = check_value(&cf->keys[i], value, &num, e);
	if (rc < 0)
		return rc;
	copy = strdup(value);
	if (!copy)
		return err_set(e, ERR_NOMEM, "out of memory");
	free(v->text);
	v->text = copy;
	v->num = num;
	v->src = src;
	v->line = line;
	v->origin = origin;
	return 0;
}

int conf_init(struct conf *cf, const struct conf_key *keys, size_t n,
	      const char *env_prefix, struct err *e)
{
	size_t i;
	int rc = 0;

	memset(cf, 0, sizeof(*cf));
	cf->keys = keys;
	cf->n = n;
	cf->env_prefix = env_prefix;
	cf->v = calloc(n ? n : 1, sizeof(*cf->v));
	if (!cf->v)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (i = 0; i < n && rc == 0; i++)
		if (keys[i].def)
			rc = put(cf, i, keys[i].def, CONF_SRC_DEFAULT, 0,
				 "built in", e);
	if (rc < 0)
		conf_release(cf);
	return rc;
}

void conf_release(struct conf *cf)
{
	size_t i;

	if (cf->v)
		for (i = 0; i < cf->n; i++)
			free(cf->v[i].text);
	free(cf->v);
	free(cf->file);
	cf->v = NULL;
	cf->file = NULL;
	cf->n = 0;
}

int conf_default(struct conf *cf, const char *name, const char *value,
		 const char *origin, struct err *e)
{
	ssize_t i = key_index(cf, name, strlen(name));

	assert(i >= 0);
	if (cf->v[i].src > CONF_SRC_DEFAULT)
		return 0;
	return put(cf, (size_t)i, value, CONF_SRC_DEFAULT, 0, origin, e);
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* One line of the file; seen[i] holds the line that set key i. */
static int file_line(struct conf *cf, char *text, unsigned line,
		     unsigned *seen, struct err *e)
{
	char *s = trim(text), *eq, *key, *value;
	ssize_t i;

	if (!*s || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (!eq)
		return err_set(e, ERR_INVALID, "not 'key = value'");
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	i = key_index(cf, key, strlen(key));
	if (i < 0)
		return err_set(e, ERR_INVALID, "unknown key '%.64s'", key);
	if (seen[i])
		return err_set(e, ERR_INVALID, "'%s' already set on line %u",
			       key, seen[i]);
	seen[i] = line;
	return put(cf, (size_t)i, value, CONF_SRC_FILE, line, NULL, e);
}

int conf_read_file(struct conf *cf, const char *path, struct err *e)
{
	struct conf_value *saved = NULL;
	unsigned *seen = NULL;
	char *text = NULL;
	unsigned line = 0;
	FILE *f;
	size_t i;
	int rc = 0;

	f = fopen(path, "re");
	if (!f)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       "%s: %s", path, strerror(errno));
	/* A bad line leaves the values as they were: keep a copy. */
	saved = calloc(cf->n ? cf->n : 1, sizeof(*saved));
	seen = calloc(cf->n ? cf->n : 1, sizeof(*seen));
	text = malloc(CONF_LINE_MAX);
	if (!saved || !seen || !text) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < cf->n; i++) {
		saved[i] = cf->v[i];
		cf->v[i].text = cf->v[i].text ? strdup(cf->v[i].text) : NULL;
		if (saved[i].text && !cf->v[i].text)
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	while (rc == 0 && fgets(text, CONF_LINE_MAX, f)) {
		line++;
		if (!strchr(text, '\n') && !feof(f))
			rc = err_set(e, ERR_INVALID, "line too long");
		else
			rc = file_line(cf, text, line, seen, e);
	}
	if (rc == 0 && ferror(f))
		rc = err_set(e, ERR_IO, "read error");
	if (rc < 0)
		err_prefix(e, "%s:%u", path, line);
	if (rc == 0 && !(cf->file = strdup(path)))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	for (i = 0; i < cf->n; i++) {
		struct conf_value *drop = rc < 0 ? &cf->v[i] : &saved[i];

		free(drop->text);
		if (rc < 0)
			cf->v[i] = saved[i];
	}
out:
	free(text);
	free(seen);
	free(saved);
	fclose(f);
	return rc;
}

const char *conf_env_name(const struct conf *cf, const char *name, char *buf,
			  size_t n)
{
	size_t i, off;

	snprintf(buf, n, "%s%s", cf->env_prefix ? cf->env_prefix : "", name);
	off = cf->env_prefix ? strlen(cf->env_prefix) : 0;
	for (i = off; buf[i]; i++)
		buf[i] = buf[i] == '.' ? '_'
				       : (char)toupper((unsigned char)buf[i]);
	return buf;
}

int conf_read_env(struct conf *cf, struct err *e)
{
	char name[128];
	const char *v;
	size_t i;
	int rc = 0;

	for (i = 0; i < cf->n && rc == 0; i++) {
		conf_env_name(cf, cf->keys[i].name, name, sizeof(name));
		v = getenv(name);
		if (v && *v)
			rc = put(cf, i, v, CONF_SRC_ENV, 0, NULL, e);
		if (rc < 0)
			err_prefix(e, "environment %s", name);
	}
	return rc;
}

int conf_set_arg(struct conf *cf, const char *key_value, struct err *e)
{
	const char *eq = strchr(key_value, '=');
	ssize_t i;

	if (!eq || eq == key_value)
		return err_set(e, ERR_INVALID, "-c wants KEY=VALUE");
	i = key_index(cf, key_value, (size_t)(eq - key_value));
	if (i < 0)
		return err_set(e, ERR_INVALID, "-c: unknown key '%.*s'",
			       (int)(eq - key_value > 64 ? 64
							  : eq - key_value),
			       key_value);
	if (put(cf, (size_t)i, eq + 1, CONF_SRC_ARG, 0, "-c", e) < 0)
		return err_prefix(e, "-c");
	return 0;
}

int conf_set(struct conf *cf, const char *name, const char *value,
	     const char *origin, struct err *e)
{
	ssize_t i = key_index(cf, name, strlen(name));

	assert(i >= 0);
	return put(cf, (size_t)i, value, CONF_SRC_ARG, 0, origin, e);
}

const struct conf_value *conf_get(const struct conf *cf, const char *name)
{
	ssize_t i = key_index(cf, name, strlen(name));

	assert(i >= 0);
	return &cf->v[i];
}

const char *conf_str(const struct conf *cf, const char *name)
{
	return conf_get(cf, name)->text;
}

uint64_t conf_num(const struct conf *cf, const char *name)
{
	return conf_get(cf, name)->num;
}

const char *conf_source_text(const struct conf *cf, size_t i, char *buf,
			     size_t n)
{
	const struct conf_value *v = &cf->v[i];

	switch (v->src) {
	case CONF_SRC_UNSET:
		snprintf(buf, n, "unset");
		break;
	case CONF_SRC_DEFAULT:
		snprintf(buf, n, "default (%s)", v->origin);
		break;
	case CONF_SRC_FILE:
		snprintf(buf, n, "%s:%u", cf->file ? cf->file : "file",
			 v->line);
		break;
	case CONF_SRC_ENV:
		conf_env_name(cf, cf->keys[i].name, buf, n);
		break;
	case CONF_SRC_ARG:
		snprintf(buf, n, "command line %s", v->origin);
		break;
	}
	return buf;
}
