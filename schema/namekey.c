/*
 * namekey.c - see namekey.h.
 *
 * Three passes, each over at most NAMEKEY_INPUT_MAX bytes on the stack:
 * UTF-8 decoding with a fold of every Latin letter to ASCII (latin_fold()),
 * a pass that settles apostrophes and spaces (namekey_normalize()), and
 * per token a left-to-right fold into sound symbols (fold()).  Names are
 * short and a person search compares a query with every indexed name, so
 * the keys are computed once (at unlock or registration) and matching is
 * plain string comparison; nothing here allocates.
 *
 * The folding rules, in the order fold() applies them to a strict key:
 *
 *   variant table (loose only)  whole tokens the rules cannot bring
 *                               together, mapped to one spelling first:
 *                               see `variants` below
 *   d i + vowel at the start    j          Diallo, Djalo, Jallow
 *   tch sch ch sh               x          Cheikh, Sheikh, Tchad
 *   dj zh jh                    j          Djibril, Jibril
 *   kh gh ph th dh bh           k g f t d b  Khalid/Kalid, Mustapha/Mustafa
 *   ck q                        k          Tariq/Tarik
 *   c before e i y              s          Youcef/Yousef, Cissé/Sissé
 *   c elsewhere                 k          Camara/Kamara
 *   gu before e i y             g          Guèye/Gaye
 *   x                           ks         Alexandr/Aleksandr
 *   ou + vowel, at the start    w          Ouattara/Wattara, Oualid
 *     or after a vowel
 *   y at the start before a     y (a consonant) Youssef/Yusuf
 *     vowel; elsewhere a vowel              Sidi/Sidy, Seydou/Saidou
 *   w after a vowel, not        a vowel    Jallow/Diallo, Sow
 *     before one
 *   h at the end                dropped    Fatimah/Fatima, Singh/Sing
 *   any run of vowels           one vowel: the first of the key keeps a
 *                               class (a; e i y -> e; o u -> o), the
 *                               others are all 'a'  Mohamed/Muhammad;
 *                               in a key of two symbols every vowel
 *                               keeps its class  Sow (so) / Sy (se)
 *   the same symbol twice       once       Mohammed/Mohamed, Moussa/Musa
 *   final t / final v (loose)   d / f      Mahamat, Ahmet/Ahmed; Ivanoff
 *   final vowel (loose, when    dropped    Mamadou/Mamadu, Ibrahima/
 *     three symbols or more)               Ibrahim
 *
 * Names that must stay apart, and do: Amadou (amad) / Ahmed (ahmad),
 * Fatou (fat) / Fatima (fatam), Youssef (yasaf) / Joseph (jasaf: a
 * different name, not a variant), Mamadou (mamad) / Mohamed (mahamad),
 * Omar (omar) / Amar (amar), Abdoul (abdal) / Abdallah (abdalah).
 * Aliou is Ali's Fula form and folds to al like it.  Vowel leniency makes
 * short names collide, and so do names told apart by their vowels only:
 * Sidi, Saad, Said and Seydou all fold to sad, Hassan and Hussein to
 * hasan.  The loose key is for recall; the duplicate warning weighs it
 * with the birth date.
 */
#include "schema/namekey.h"

#include <sodium.h>
#include <string.h>

/* ---- UTF-8 and the Latin letters ---------------------------------- */

#define SEP " "  /* a separator between tokens */
#define APOS "'" /* an apostrophe: glued between letters, else SEP */

/*
 * U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), both
 * cases, to lower-case ASCII; SEP for the two signs among them.
 */
static const char *const latin[0x180 - 0xC0] = {
	/* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	/* C8 */ "e", "e", "e", "e", "i", "i", "i", "i",
	/* D0 */ "d", "n", "o", "o", "o", "o", "o", SEP,
	/* D8 */ "o", "u", "u", "u", "u", "y", "th", "ss",
	/* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	/* E8 */ "e", "e", "e", "e", "i", "i", "i", "i",
	/* F0 */ "d", "n", "o", "o", "o", "o", "o", SEP,
	/* F8 */ "o", "u", "u", "u", "u", "y", "th", "y",
	/* 100 */ "a", "a", "a", "a", "a", "a", "c", "c",
	/* 108 */ "c", "c", "c", "c", "c", "c", "d", "d",
	/* 110 */ "d", "d", "e", "e", "e", "e", "e", "e",
	/* 118 */ "e", "e", "e", "e", "g", "g", "g", "g",
	/* 120 */ "g", "g", "g", "g", "h", "h", "h", "h",
	/* 128 */ "i", "i", "i", "i", "i", "i", "i", "i",
	/* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k",
	/* 138 */ "k", "l", "l", "l", "l", "l", "l", "l",
	/* 140 */ "l", "l", "l", "n", "n", "n", "n", "n",
	/* 148 */ "n", "n", "ng", "ng", "o", "o", "o", "o",
	/* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r",
	/* 158 */ "r", "r", "s", "s", "s", "s", "s", "s",
	/* 160 */ "s", "s", "t", "t", "t", "t", "t", "t",
	/* 168 */ "u", "u", "u", "u", "u", "u", "u", "u",
	/* 170 */ "u", "u", "u", "u", "w", "w", "y", "y",
	/* 178 */ "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Other code points a name may hold: the letters of West African
 * orthographies (Fula, Wolof, Bambara, Hausa, Ewe), Romanian and
 * Azerbaijani, the apostrophes and modifier letters used for the Arabic
 * ayn and hamza, and the spaces and dashes of word processors. */
static const struct {
	unsigned cp;
	const char *to;
} extra[] = {
	{ 0xA0, SEP },	 { 0xB4, APOS },   { 0x181, "b" },   { 0x186, "o" },
	{ 0x189, "d" },	 { 0x18A, "d" },   { 0x18F, "e" },   { 0x190, "e" },
	{ 0x198, "k" },	 { 0x199, "k" },   { 0x19D, "ny" },  { 0x1B3, "y" },
	{ 0x1B4, "y" },	 { 0x218, "s" },   { 0x219, "s" },   { 0x21A, "t" },
	{ 0x21B, "t" },	 { 0x253, "b" },   { 0x254, "o" },   { 0x256, "d" },
	{ 0x257, "d" },	 { 0x259, "e" },   { 0x25B, "e" },   { 0x272, "ny" },
	{ 0x2B9, APOS }, { 0x2BB, APOS },  { 0x2BC, APOS },  { 0x2BE, APOS },
	{ 0x2BF, APOS }, { 0x2018, APOS }, { 0x2019, APOS }, { 0x201B, APOS },
	{ 0x2032, APOS },
};

/* The ASCII spelling of code point cp: letters folded, SEP or APOS for
 * signs, "" for a combining mark (dropped), NULL for a letter of another
 * script. */
static const char *latin_fold(unsigned cp)
{
	if (cp >= 0xC0 && cp < 0x180)
		return latin[cp - 0xC0];
	if (cp >= 0x300 && cp <= 0x36F)
		return "";
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (extra[i].cp == cp)
			return extra[i].to;
	/* Latin-1 signs, general punctuation and spaces: separators. */
	if ((cp >= 0x80 && cp < 0xC0) || (cp >= 0x2000 && cp <= 0x206F))
		return SEP;
	return NULL;
}

/* The code point at s[0..len) (len >= 1) and its length in *n; -1 for
 * invalid UTF-8: a bad lead or continuation byte, a truncated sequence,
 * an overlong form, a surrogate, or past U+10FFFF. */
static long utf8_next(const unsigned char *s, size_t len, size_t *n)
{
	unsigned long cp;
	size_t k;

	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		k = 2;
		cp = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		k = 3;
		cp = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		k = 4;
		cp = s[0] & 0x07u;
	} else {
		return -1;
	}
	if (len < k)
		return -1;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return -1;
	*n = k;
	return (long)cp;
}

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Fold the code points of name into tmp (cap bytes): letters, ' ' and
 * '\''.  Every code point yields at most as many bytes as it takes. */
static int to_ascii(const unsigned char *s, size_t len, char *tmp,
		    size_t cap, struct err *e)
{
	size_t t = 0;

	for (size_t i = 0; i < len;) {
		size_t n = 0;
		long cp = utf8_next(s + i, len - i, &n);
		const char *to;
		char one[2] = { 0, 0 };

		if (cp < 0)
			return err_set(e, ERR_INVALID,
				       "name: not valid UTF-8");
		if (cp < 0x80) {
			char c = (char)cp;

			if (cp == 0x7F ||
			    (cp < 0x20 && c != '\t' && c != '\n' && c != '\r'))
				return err_set(e, ERR_INVALID,
					       "name: control character");
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			one[0] = is_letter(c)		  ? c
				 : c == '\'' || c == '`' ? '\''
							  : ' ';
			to = one;
		} else {
			to = latin_fold((unsigned)cp);
			if (!to)
				return err_set(e, ERR_INVALID,
					       "name: letters outside the "
					       "Latin script");
		}
		size_t m = strlen(to);

		if (t + m >= cap)
			return err_set(e, ERR_INVALID, "name: too long");
		memcpy(tmp + t, to, m);
		t += m;
		i += n;
	}
	tmp[t] = '\0';
	return 0;
}

int namekey_normalize(const char *name, size_t len, char *out, size_t cap,
		      struct err *e)
{
	char tmp[NAMEKEY_INPUT_MAX + 1];
	size_t o = 0;
	int rc = 0;

	if (cap > 0)
		out[0] = '\0';
	if (!name || len > NAMEKEY_INPUT_MAX) {
		rc = err_set(e, ERR_INVALID, "name: longer than %d bytes",
			     NAMEKEY_INPUT_MAX);
		goto out;
	}
	rc = to_ascii((const unsigned char *)name, len, tmp, sizeof(tmp), e);
	if (rc)
		goto out;
	/*
	 * An apostrophe between two letters is dropped: N'Diaye, M'Bow,
	 * Sa'id, D'Souza are also written Ndiaye, Mbow, Said, Dsouza, and
	 * two tokens would match neither.  Elsewhere it separates, as do
	 * spaces, hyphens and punctuation (Ould-Ahmed).
	 */
	for (size_t i = 0; tmp[i]; i++) {
		char c = tmp[i];

		if (c == '\'' && i > 0 && is_letter(tmp[i - 1]) &&
		    is_letter(tmp[i + 1]))
			continue;
		if (!is_letter(c)) {
			if (o == 0 || out[o - 1] == ' ')
				continue;
			c = ' ';
		}
		if (o + 1 >= cap) {
			rc = err_set(e, ERR_INVALID,
				     "name: no room for its normal form");
			goto out;
		}
		out[o++] = c;
	}
	if (o > 0 && out[o - 1] == ' ')
		o--;
	if (cap > 0)
		out[o] = '\0';
	if (o == 0)
		rc = err_set(e, ERR_INVALID, "name: no letter");
out:
	if (rc && cap > 0)
		sodium_memzero(out, cap);
	sodium_memzero(tmp, sizeof(tmp));
	return rc;
}

/* ---- Folding one token -------------------------------------------- */

/*
 * Whole tokens that the rules do not bring together, and the spelling
 * they are folded as.  Keep it short and sure: a wrong entry merges two
 * people's names.  Most variants need no entry (Mohamed, Muhammad,
 * Mouhamed, Mohamad, Muhamed, Mahamat all fold to mahamad by rule).
 */
static const struct {
	const char *as;		  /* the spelling folded */
	const char *const *names; /* the variants, NULL-terminated */
} variants[] = {
	/* Uthman: th is t in Arabic-to-French, s in Turkish and Fula. */
	{ "usman",
	  (const char *const[]){ "othman", "othmane", "outhman", "outhmane",
				 "uthman", "utman", "otman", NULL } },
	/* Abdullahi (Hausa, Fula) keeps its h; Abdallah's is final. */
	{ "abdullahi",
	  (const char *const[]){ "abdallah", "abdalla", "abdullah",
				 "abdulla", "abdellah", "abdoulaye",
				 "abdoulay", "abdulaye", "abdulai",
				 "abdoulahi", "abdallahi", "abdulahi",
				 "abdoullah", NULL } },
	/* South Asian abbreviations of Muhammad. */
	{ "muhammad",
	  (const char *const[]){ "md", "mohd", "muhd", "mhd", NULL } },
	{ "ibrahim", (const char *const[]){ "brahim", "brahima", NULL } },
	/* Ahmadou is Amadou's Fula spelling, not Ahmed. */
	{ "amadou", (const char *const[]){ "ahmadou", "ahmadu", NULL } },
	{ "abubakar", (const char *const[]){ "abubakr", "aboubakr", NULL } },
};

static const char *variant_of(const char *s)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		for (const char *const *v = variants[i].names; *v; v++)
			if (strcmp(*v, s) == 0)
				return variants[i].as;
	return s;
}

#define VOWEL 'V'  /* a run of vowels, while folding */
#define HUSH 'x'   /* sh, ch, tch, sch */

/* Symbols of one token being folded. */
struct fold {
	char s[NAMEKEY_KEY_SIZE];   /* symbols, VOWEL for a vowel run */
	char cls[NAMEKEY_KEY_SIZE]; /* per VOWEL: the run's first letter */
	size_t n;		    /* symbols in s */
};

static int is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Append symbol c unless it repeats the last one (doubles collapse,
 * vowel runs are one symbol). */
static void put(struct fold *f, char c)
{
	if (f->n > 0 && f->s[f->n - 1] == c)
		return;
	if (f->n + 1 < sizeof(f->s))
		f->s[f->n++] = c;
}

static void put_vowel(struct fold *f, char letter)
{
	if (f->n > 0 && f->s[f->n - 1] == VOWEL)
		return;
	if (f->n + 1 < sizeof(f->s))
		f->cls[f->n] = letter;
	put(f, VOWEL);
}

/* The class letter of a vowel run that began with letter. */
static char vowel_class(char letter)
{
	if (letter == 'a')
		return 'a';
	return letter == 'o' || letter == 'u' ? 'o' : 'e';
}

/* Length of a digraph or trigraph at s that folds to one symbol (in
 * *to), 0 when none starts there. */
static size_t graph(const char *s, char *to)
{
	static const struct {
		const char *g;
		char to;
	} g[] = {
		{ "tch", HUSH }, { "sch", HUSH }, { "ch", HUSH }, { "sh", HUSH },
		{ "dj", 'j' },	 { "zh", 'j' },	  { "jh", 'j' },  { "kh", 'k' },
		{ "gh", 'g' },	 { "ph", 'f' },	  { "th", 't' },  { "dh", 'd' },
		{ "bh", 'b' },	 { "ck", 'k' },
	};

	/* Every group's second letter is one of these: most letters of a
	 * name start none, and are let through without the scan. */
	if (s[0] == '\0' || !strchr("chjk", s[1]) || s[1] == '\0')
		return 0;
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		size_t n = strlen(g[i].g);

		if (strncmp(s, g[i].g, n) == 0) {
			*to = g[i].to;
			return n;
		}
	}
	return 0;
}

/* One letter (or letter group) of s at i into f; returns the letters
 * used.  The rules of the table at the top of this file. */
static size_t fold_at(struct fold *f, const char *s, size_t i)
{
	char c = s[i], nx = s[i + 1], to = 0;
	int after_vowel = f->n > 0 && f->s[f->n - 1] == VOWEL;
	size_t g;

	if (i == 0 && c == 'd' && nx == 'i' && is_vowel(s[i + 2])) {
		put(f, 'j');
		return 2;
	}
	if (c == 'o' && nx == 'u' && is_vowel(s[i + 2]) &&
	    (i == 0 || after_vowel)) {
		put(f, 'w');
		return 2;
	}
	g = graph(s + i, &to);
	if (g > 0) {
		put(f, to);
		return g;
	}
	if (c == 'g' && nx == 'u' && (s[i + 2] == 'e' || s[i + 2] == 'i' ||
				      s[i + 2] == 'y')) {
		put(f, 'g');
		return 2;
	}
	if (is_vowel(c)) {
		put_vowel(f, c);
	} else if (c == 'y') {
		if (i == 0 && is_vowel(nx))
			put(f, 'y');
		else
			put_vowel(f, c);
	} else if (c == 'w') {
		if (after_vowel && !is_vowel(nx) && nx != 'y')
			put_vowel(f, c);
		else
			put(f, 'w');
	} else if (c == 'h') {
		/* Dropped at the end, unless it is all there is ("H."). */
		if (nx != '\0' || f->n == 0)
			put(f, 'h');
	} else if (c == 'c') {
		put(f, nx == 'e' || nx == 'i' || nx == 'y' ? 's' : 'k');
	} else if (c == 'q') {
		put(f, 'k');
	} else if (c == 'x') {
		put(f, 'k');
		put(f, 's');
	} else {
		put(f, c);
	}
	return 1;
}

/*
 * Fold strict key s into out (NAMEKEY_KEY_SIZE bytes): the loose key
 * when whole (variant table, end-of-word rules), else the stem (neither,
 * and trailing vowels and h taken off).
 */
static void fold(const char *s, int whole, char *out)
{
	struct fold f = { .n = 0 };
	int tiny;

	if (whole)
		s = variant_of(s);
	for (size_t i = 0; s[i];)
		i += fold_at(&f, s, i);
	/* Sow and Sy, Ba and Bi: two symbols say too little to lose the
	 * vowel's class as well. */
	tiny = f.n <= 2;
	if (whole && f.n > 0) {
		if (f.s[f.n - 1] == 't')
			f.s[f.n - 1] = 'd';
		else if (f.s[f.n - 1] == 'v')
			f.s[f.n - 1] = 'f';
		if (f.n >= 3 && f.s[f.n - 1] == VOWEL)
			f.n--;
	}
	while (!whole && f.n > 1 &&
	       (f.s[f.n - 1] == VOWEL || f.s[f.n - 1] == 'h'))
		f.n--;
	for (size_t i = 0; i < f.n; i++) {
		char c = f.s[i];

		if (c == VOWEL)
			c = i == 0 || tiny ? vowel_class(f.cls[i]) : 'a';
		out[i] = c;
	}
	out[f.n] = '\0';
	sodium_memzero(&f, sizeof(f));
}

/* ---- Sets and matching -------------------------------------------- */

void namekey_set_wipe(struct namekey_set *set)
{
	if (!set)
		return;
	sodium_memzero(set, sizeof(*set));
}

int namekey_tokens(const char *name, size_t len, struct namekey_set *set,
		   struct err *e)
{
	char norm[NAMEKEY_INPUT_MAX + 1];
	int rc;

	namekey_set_wipe(set);
	rc = namekey_normalize(name, len, norm, sizeof(norm), e);
	if (rc)
		goto out;
	for (char *p = norm; *p;) {
		size_t n = strcspn(p, " ");
		struct namekey_token *t;

		if (set->n == NAMEKEY_TOKENS_MAX) {
			rc = err_set(e, ERR_INVALID,
				     "name: more than %d parts",
				     NAMEKEY_TOKENS_MAX);
			goto out;
		}
		if (n > NAMEKEY_TOKEN_MAX) {
			rc = err_set(e, ERR_INVALID,
				     "name: a part longer than %d letters",
				     NAMEKEY_TOKEN_MAX);
			goto out;
		}
		t = &set->tok[set->n++];
		memcpy(t->strict, p, n);
		t->strict[n] = '\0';
		fold(t->strict, 1, t->loose);
		fold(t->strict, 0, t->stem);
		p += n;
		if (*p == ' ')
			p++;
	}
out:
	if (rc)
		namekey_set_wipe(set);
	sodium_memzero(norm, sizeof(norm));
	return rc;
}

/* 1 when p is a non-empty prefix of s. */
static int prefix(const char *p, const char *s)
{
	size_t n = strlen(p);

	return n > 0 && strncmp(p, s, n) == 0;
}

int namekey_keys_match(const struct namekey_token *q, const char *strict,
		       const char *loose, const char *stem)
{
	return prefix(q->strict, strict) ||
	       (q->loose[0] && strcmp(q->loose, loose) == 0) ||
	       prefix(q->stem, stem) || prefix(q->stem, loose);
}

int namekey_token_match(const struct namekey_token *q,
			const struct namekey_token *t)
{
	return namekey_keys_match(q, t->strict, t->loose, t->stem);
}

static int same_loose(const struct namekey_token *a,
		      const struct namekey_token *b)
{
	return a->loose[0] && strcmp(a->loose, b->loose) == 0;
}

typedef int (*pair_fn)(const struct namekey_token *,
		       const struct namekey_token *);

/*
 * Pairing of tokens, one of a to one of b (Kuhn's augmenting paths: at
 * most NAMEKEY_TOKENS_MAX squared steps).  A greedy pairing would miss
 * "m diallo" in "Mamadou Moussa Diallo" when "m" took the wrong token.
 */
struct pairing {
	const struct namekey_set *a, *b;
	pair_fn ok;
	int owner[NAMEKEY_TOKENS_MAX]; /* a's token paired with b's, or -1 */
	int seen[NAMEKEY_TOKENS_MAX];  /* b's tokens tried on this path */
};

static int augment(struct pairing *p, size_t i)
{
	for (size_t j = 0; j < p->b->n; j++) {
		if (p->seen[j] || !p->ok(&p->a->tok[i], &p->b->tok[j]))
			continue;
		p->seen[j] = 1;
		if (p->owner[j] < 0 || augment(p, (size_t)p->owner[j])) {
			p->owner[j] = (int)i;
			return 1;
		}
	}
	return 0;
}

/* The most pairs of a's and b's tokens that ok() accepts. */
static size_t pairs(const struct namekey_set *a, const struct namekey_set *b,
		    pair_fn ok)
{
	struct pairing p = { .a = a, .b = b, .ok = ok };
	size_t m = 0;

	for (size_t j = 0; j < NAMEKEY_TOKENS_MAX; j++)
		p.owner[j] = -1;
	for (size_t i = 0; i < a->n; i++) {
		memset(p.seen, 0, sizeof(p.seen));
		m += (size_t)augment(&p, i);
	}
	return m;
}

/* 1 when s can be paired: present, not empty, within bounds (a set the
 * caller filled by hand must not make pairs() overrun its arrays). */
static int set_ok(const struct namekey_set *s)
{
	return s && s->n > 0 && s->n <= NAMEKEY_TOKENS_MAX;
}

int namekey_match_prefix(const struct namekey_set *query,
			 const struct namekey_set *name)
{
	if (!set_ok(query) || !set_ok(name) || query->n > name->n)
		return 0;
	return pairs(query, name, namekey_token_match) == query->n;
}

unsigned namekey_similarity(const struct namekey_set *a,
			    const struct namekey_set *b)
{
	if (!set_ok(a) || !set_ok(b))
		return 0;
	return (unsigned)(2000 * pairs(a, b, same_loose) / (a->n + b->n));
}
