/*
 * jscan.c - see jscan.h.  One pass over the bytes with a stack of the
 * open containers; strings are skipped escape by escape, so a bracket
 * or quote inside one is never taken for structure.
 */
#include "common/jscan.h"

#include <stdint.h>
#include <string.h>

struct scan {
	const struct jscan_limits *lim;
	const char *what;
	struct err *e;
	size_t values;            /* so far */
	size_t depth;             /* containers open */
	char open[JSCAN_DEPTH_MAX]; /* '[' or '{' of each */
	int in_elem;              /* an element of the bounded array runs */
	size_t elem_from;         /* where it started (byte offset) */
	size_t elem_values;       /* values before it started */
};

static int malformed(struct scan *s)
{
	return err_set(s->e, ERR_INVALID, "%s: malformed JSON", s->what);
}

/* 1 when the innermost open container is the array whose elements are
 * bounded. */
static int at_elem_level(const struct scan *s)
{
	return s->lim->elem_depth && s->depth == s->lim->elem_depth &&
	       s->open[s->depth - 1] == '[';
}

/* A value starts at byte at: count it, open an element if it is one. */
static int value_start(struct scan *s, size_t at)
{
	if (at_elem_level(s) && !s->in_elem) {
		s->in_elem = 1;
		s->elem_from = at;
		s->elem_values = s->values;
	}
	if (++s->values > s->lim->max_values)
		return err_set(s->e, ERR_INVALID,
			       "%s: more than %zu JSON values", s->what,
			       s->lim->max_values);
	return 0;
}

/* After a token ending before byte end: the running element's bounds. */
static int elem_check(struct scan *s, size_t end)
{
	if (!s->in_elem)
		return 0;
	if (s->values - s->elem_values > s->lim->elem_values)
		return err_set(s->e, ERR_INVALID,
			       "%s: an element holds more than %zu JSON "
			       "values", s->what, s->lim->elem_values);
	if (end - s->elem_from > s->lim->elem_bytes)
		return err_set(s->e, ERR_INVALID,
			       "%s: an element is longer than %zu bytes",
			       s->what, s->lim->elem_bytes);
	return 0;
}

/* The string opening at text[*i] ('"'); *i moves past its end. */
static int skip_string(struct scan *s, const char *text, size_t len,
		       size_t *i)
{
	size_t from = *i, j = from + 1;

	while (j < len && text[j] != '"') {
		if (text[j] == '\\')
			j++; /* the escaped byte is not the end */
		j++;
		if (j - from > s->lim->max_string)
			return err_set(s->e, ERR_INVALID,
				       "%s: a string is longer than %zu bytes",
				       s->what, s->lim->max_string);
	}
	if (j >= len)
		return malformed(s);
	*i = j + 1;
	if (*i - from > s->lim->max_string)
		return err_set(s->e, ERR_INVALID,
			       "%s: a string is longer than %zu bytes",
			       s->what, s->lim->max_string);
	return 0;
}

static int scalar_byte(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '+' || c == '-' || c == '.';
}

const struct jscan_limits jscan_unbounded = {
	.max_values = SIZE_MAX, .max_depth = JSCAN_DEPTH_MAX,
	.max_string = SIZE_MAX, .max_number = SIZE_MAX,
};

int jscan_check(const char *text, size_t len, const struct jscan_limits *lim,
		const char *what, size_t *values, struct err *e)
{
	struct scan s;
	size_t i = 0;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.lim = lim;
	s.what = what;
	s.e = e;
	if (lim->max_depth > JSCAN_DEPTH_MAX)
		return err_set(e, ERR_INVALID, "%s: depth bound too large",
			       what);
	while (!rc && i < len) {
		char c = text[i];

		switch (c) {
		case ' ': case '\t': case '\n': case '\r': case ':':
			i++;
			continue;
		case ',':
			if (at_elem_level(&s))
				s.in_elem = 0;
			i++;
			continue;
		case '"':
			rc = value_start(&s, i);
			if (!rc)
				rc = skip_string(&s, text, len, &i);
			break;
		case '[': case '{':
			rc = value_start(&s, i);
			if (rc)
				break;
			if (s.depth >= lim->max_depth)
				return err_set(e, ERR_INVALID,
					       "%s: JSON nested deeper than "
					       "%zu", what, lim->max_depth);
			s.open[s.depth++] = c;
			i++;
			break;
		case ']': case '}':
			if (!s.depth ||
			    s.open[s.depth - 1] != (c == ']' ? '[' : '{'))
				return malformed(&s);
			if (at_elem_level(&s))
				s.in_elem = 0;
			s.depth--;
			i++;
			break;
		default:
			if (!scalar_byte(c))
				return malformed(&s);
			rc = value_start(&s, i);
			for (size_t from = i; !rc && i < len &&
					      scalar_byte(text[i]); i++)
				if (i - from >= lim->max_number)
					rc = err_set(e, ERR_INVALID,
						     "%s: a number longer "
						     "than %zu bytes",
						     what, lim->max_number);
			break;
		}
		if (!rc)
			rc = elem_check(&s, i);
	}
	if (!rc && s.depth)
		rc = malformed(&s);
	if (!rc && values)
		*values = s.values;
	return rc;
}

json_t *jscan_load(const char *text, size_t len, size_t flags,
		   const struct jscan_limits *lim, const char *what,
		   struct err *e)
{
	json_error_t je;
	json_t *doc;

	if (!text)
		len = 0;
	if (jscan_check(text ? text : "", len, lim, what, NULL, e))
		return NULL;
	doc = json_loadb(text ? text : "", len, flags, &je);
	if (!doc)
		err_set(e, json_error_code(&je) == json_error_out_of_memory
				   ? ERR_NOMEM
				   : ERR_INVALID,
			"%s: not JSON", what);
	return doc;
}

static size_t skip_space(const char *t, size_t i, size_t len)
{
	while (i < len && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' ||
			   t[i] == '\t'))
		i++;
	return i;
}

/* The end of the string opening at t[i] (its closing quote's index + 1),
 * or 0 when it does not close. */
static size_t string_end(const char *t, size_t i, size_t len)
{
	for (i++; i < len; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return 0;
}

/* The end of the value starting at t[i], inside a container that close
 * (']' or '}') ends: the first ',' or close outside strings and nested
 * containers; 0 when the text ends first or the other bracket closes. */
static size_t value_end(const char *t, size_t i, size_t len, char close)
{
	size_t depth = 0;

	while (i < len) {
		char c = t[i];

		if (c == '"') {
			i = string_end(t, i, len);
			if (!i)
				return 0;
			continue;
		}
		if (c == '[' || c == '{')
			depth++;
		else if ((c == ']' || c == '}') && depth)
			depth--;
		else if ((c == ',' || c == close) && !depth)
			return i;
		else if (c == ']' || c == '}')
			return 0;
		i++;
	}
	return 0;
}

/* end moved back past the whitespace that ends t[start, end). */
static size_t trim_end(const char *t, size_t start, size_t end)
{
	while (end > start && (t[end - 1] == ' ' || t[end - 1] == '\n' ||
			       t[end - 1] == '\r' || t[end - 1] == '\t'))
		end--;
	return end;
}

int jscan_members(const char *text, size_t len, jscan_member_fn fn,
		  void *ctx)
{
	size_t i = skip_space(text, 0, len);

	if (i >= len || text[i] != '{')
		return ERR_INVALID;
	i = skip_space(text, i + 1, len);
	if (i < len && text[i] == '}')
		return skip_space(text, i + 1, len) == len ? 0 : ERR_INVALID;
	for (;;) {
		size_t k, kend, v, vend;
		int rc;

		if (i >= len || text[i] != '"')
			return ERR_INVALID;
		k = i + 1;
		kend = string_end(text, i, len);
		if (!kend || memchr(text + k, '\\', kend - 1 - k))
			return ERR_INVALID;
		i = skip_space(text, kend, len);
		if (i >= len || text[i] != ':')
			return ERR_INVALID;
		v = skip_space(text, i + 1, len);
		vend = value_end(text, v, len, '}');
		if (!vend || vend == v)
			return ERR_INVALID;
		i = vend;
		vend = trim_end(text, v, vend);
		rc = fn(ctx, text + k, kend - 1 - k, text + v, vend - v);
		if (rc)
			return rc;
		if (text[i] == '}')
			return skip_space(text, i + 1, len) == len ? 0
								   : ERR_INVALID;
		i = skip_space(text, i + 1, len); /* past ',' */
	}
}

int jscan_each_element(const char *text, size_t len, jscan_element_fn fn,
		       void *ctx)
{
	size_t i = skip_space(text, 0, len);

	if (i >= len || text[i] != '[')
		return ERR_INVALID;
	i = skip_space(text, i + 1, len);
	if (i < len && text[i] == ']')
		return skip_space(text, i + 1, len) == len ? 0 : ERR_INVALID;
	while (i < len) {
		size_t end = value_end(text, i, len, ']');
		int rc;

		if (!end || end == i)
			return ERR_INVALID;
		rc = fn(ctx, text + i, trim_end(text, i, end) - i);
		if (rc)
			return rc;
		if (text[end] == ']')
			return skip_space(text, end + 1, len) == len
				   ? 0
				   : ERR_INVALID;
		i = skip_space(text, end + 1, len);
	}
	return ERR_INVALID;
}

static int count_one(void *ctx, const char *val, size_t vlen)
{
	(void)val;
	(void)vlen;
	(*(size_t *)ctx)++;
	return 0;
}

int jscan_count(const char *text, size_t len, size_t *n)
{
	*n = 0;
	return jscan_each_element(text, len, count_one, n);
}
