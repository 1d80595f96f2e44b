/*
 * test_conf.c - settings (common/conf.h): the order default < file <
 * environment < command line, where each value came from, and the
 * refusal of a bad file with its line number, leaving nothing of it.
 */
#include "common/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test.h"

static const struct conf_key keys[] = {
	{ "dir", CONF_PATH, NULL, 0, 0, NULL, "directory" },
	{ "log.level", CONF_CHOICE, "info", 0, 0, "debug|info|warn|error",
	  "level" },
	{ "ui.port", CONF_UINT, "8080", 0, 65535, NULL, "port" },
	{ "ui.listen", CONF_ADDR, "127.0.0.1", 0, 0, NULL, "address" },
	{ "ui.idle", CONF_DURATION, "15m", 1, 86400, NULL, "idle" },
	{ "hub.url", CONF_URL, NULL, 0, 0, NULL, "hub" },
	{ "retention.programme_end", CONF_DATE, NULL, 0, 0, NULL, "end" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *write_conf(const char *text)
{
	static char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/presidio.conf", test_tmpdir());
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

static void clear_env(void)
{
	unsetenv("TESTP_UI_PORT");
	unsetenv("TESTP_LOG_LEVEL");
	unsetenv("TESTP_UI_IDLE");
}

static void test_conf_defaults_and_types(void)
{
	struct conf cf;
	struct err e;

	err_init(&e);
	clear_env();
	CHECK_OK(conf_init(&cf, keys, NKEYS, "TESTP_", &e));
	CHECK(conf_num(&cf, "ui.port") == 8080);
	CHECK(conf_num(&cf, "ui.idle") == 900);
	CHECK(strcmp(conf_str(&cf, "log.level"), "info") == 0);
	CHECK(conf_str(&cf, "dir") == NULL);
	CHECK(conf_get(&cf, "dir")->src == CONF_SRC_UNSET);
	CHECK(conf_get(&cf, "ui.port")->src == CONF_SRC_DEFAULT);
	CHECK_OK(conf_default(&cf, "dir", "/home/x/.presidio", "$HOME", &e));
	CHECK(strcmp(conf_str(&cf, "dir"), "/home/x/.presidio") == 0);
	/* Durations in every unit. */
	CHECK_OK(conf_set(&cf, "ui.idle", "30", "--idle", &e));
	CHECK(conf_num(&cf, "ui.idle") == 30);
	CHECK_OK(conf_set(&cf, "ui.idle", "2h", "--idle", &e));
	CHECK(conf_num(&cf, "ui.idle") == 7200);
	CHECK_OK(conf_set(&cf, "ui.idle", "1d", "--idle", &e));
	CHECK(conf_num(&cf, "ui.idle") == 86400);
	CHECK(conf_set(&cf, "ui.idle", "2d", "--idle", &e) == ERR_INVALID);
	CHECK(conf_set(&cf, "ui.idle", "0", "--idle", &e) == ERR_INVALID);
	CHECK(conf_set(&cf, "ui.idle", "5w", "--idle", &e) == ERR_INVALID);
	CHECK(conf_set(&cf, "ui.idle", "-5", "--idle", &e) == ERR_INVALID);
	CHECK(conf_num(&cf, "ui.idle") == 86400);
	CHECK(conf_set(&cf, "ui.port", "65536", "--port", &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "ui.port") != NULL);
	CHECK(conf_set(&cf, "ui.port", "80a", "--port", &e) == ERR_INVALID);
	CHECK(conf_set(&cf, "ui.listen", "localhost", "--listen", &e) ==
	      ERR_INVALID);
	CHECK_OK(conf_set(&cf, "ui.listen", "::1", "--listen", &e));
	CHECK(conf_set(&cf, "hub.url", "ftp://x", "--hub", &e) ==
	      ERR_INVALID);
	CHECK(conf_set(&cf, "log.level", "loud", "-c", &e) == ERR_INVALID);
	CHECK(conf_set(&cf, "log.level", "", "-c", &e) == ERR_INVALID);
	CHECK(conf_set(&cf, "dir", "a\nb", "-c", &e) == ERR_INVALID);
	/* Dates: real ones only. */
	CHECK_OK(conf_set(&cf, "retention.programme_end", "2028-02-29", "-c",
			  &e));
	CHECK(conf_set(&cf, "retention.programme_end", "2027-02-29", "-c",
		       &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "retention.programme_end") != NULL);
	CHECK(conf_set(&cf, "retention.programme_end", "2027-1-01", "-c",
		       &e) == ERR_INVALID);
	CHECK(strcmp(conf_str(&cf, "retention.programme_end"),
		     "2028-02-29") == 0);
	conf_release(&cf);
	conf_release(&cf);
}

static void test_conf_precedence_and_sources(void)
{
	const char *path = write_conf("# Presidio\n"
				      "\n"
				      "ui.port = 9000\n"
				      "  log.level=warn  \n"
				      "ui.idle = 30m\n");
	struct conf cf;
	struct err e;
	char src[4300];

	err_init(&e);
	clear_env();
	CHECK(path != NULL);
	CHECK_OK(conf_init(&cf, keys, NKEYS, "TESTP_", &e));
	CHECK_OK(conf_read_file(&cf, path, &e));
	CHECK(conf_num(&cf, "ui.port") == 9000);
	CHECK(strcmp(conf_str(&cf, "log.level"), "warn") == 0);
	CHECK(conf_get(&cf, "log.level")->line == 4);
	setenv("TESTP_UI_PORT", "9100", 1);
	setenv("TESTP_LOG_LEVEL", "", 1); /* empty: unset */
	CHECK_OK(conf_read_env(&cf, &e));
	CHECK(conf_num(&cf, "ui.port") == 9100);
	CHECK(strcmp(conf_str(&cf, "log.level"), "warn") == 0);
	CHECK_OK(conf_set_arg(&cf, "ui.idle=45", &e));
	CHECK(conf_num(&cf, "ui.idle") == 45);

	/* Where each came from. */
	CHECK(strcmp(conf_source_text(&cf, 2, src, sizeof(src)),
		     "TESTP_UI_PORT") == 0);
	conf_source_text(&cf, 1, src, sizeof(src));
	CHECK(strstr(src, "presidio.conf:4") != NULL);
	conf_source_text(&cf, 4, src, sizeof(src));
	CHECK(strcmp(src, "command line -c") == 0);
	conf_source_text(&cf, 3, src, sizeof(src));
	CHECK(strcmp(src, "default (built in)") == 0);
	conf_source_text(&cf, 0, src, sizeof(src));
	CHECK(strcmp(src, "unset") == 0);
	/* A runtime default never replaces a value set elsewhere. */
	CHECK_OK(conf_default(&cf, "ui.port", "1", "x", &e));
	CHECK(conf_num(&cf, "ui.port") == 9100);
	CHECK(strcmp(conf_env_name(&cf, "ui.idle", src, sizeof(src)),
		     "TESTP_UI_IDLE") == 0);

	CHECK(conf_set_arg(&cf, "ui.prot=1", &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "ui.prot") != NULL);
	CHECK(conf_set_arg(&cf, "ui.port", &e) == ERR_INVALID);
	CHECK(conf_set_arg(&cf, "=3", &e) == ERR_INVALID);
	setenv("TESTP_UI_IDLE", "forever", 1);
	CHECK(conf_read_env(&cf, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "TESTP_UI_IDLE") != NULL);
	clear_env();
	conf_release(&cf);
}

/* Each bad file: the error names the file and line, and no value of
 * the file is kept. */
static void test_conf_bad_file_refused_with_line(void)
{
	static const struct {
		const char *text;
		const char *says;
	} bad[] = {
		{ "ui.port = 9000\nui.prot = 9001\n", ":2: unknown key "
						      "'ui.prot'" },
		{ "ui.port = 9000\n\n# x\nui.port = 9002\n", ":4: 'ui.port' "
							     "already set on "
							     "line 1" },
		{ "ui.port = 9000\nlog.level\n", ":2: not 'key = value'" },
		{ "ui.port = 9000\nlog.level = chatty\n", ":2: 'log.level': "
							  "one of" },
		{ "ui.port = 9000\nui.idle =\n", ":2: 'ui.idle' is empty" },
		{ "ui.port = 70000\n", ":1: 'ui.port': not a whole number" },
	};
	struct conf cf;
	struct err e;
	size_t i;

	clear_env();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *path = write_conf(bad[i].text);

		err_init(&e);
		CHECK(path != NULL);
		CHECK_OK(conf_init(&cf, keys, NKEYS, "TESTP_", &e));
		CHECK(conf_read_file(&cf, path, &e) == ERR_INVALID);
		if (!strstr(e.msg, bad[i].says) || !strstr(e.msg, path))
			fprintf(stderr, "  got: %s\n", e.msg);
		CHECK(strstr(e.msg, bad[i].says) != NULL);
		CHECK(strstr(e.msg, path) != NULL);
		CHECK(conf_num(&cf, "ui.port") == 8080);
		CHECK(conf_get(&cf, "ui.port")->src == CONF_SRC_DEFAULT);
		conf_release(&cf);
	}
	err_init(&e);
	CHECK_OK(conf_init(&cf, keys, NKEYS, "TESTP_", &e));
	CHECK(conf_read_file(&cf, "/nonexistent/presidio.conf", &e) ==
	      ERR_NOTFOUND);
	conf_release(&cf);
}

static void test_conf_long_line_refused(void)
{
	size_t n = CONF_PATH_MAX + 400;
	char *text = malloc(n + 16);
	const char *path;
	struct conf cf;
	struct err e;

	CHECK(text != NULL);
	memcpy(text, "dir = /", 7);
	memset(text + 7, 'a', n - 7);
	memcpy(text + n, "\n", 2);
	path = write_conf(text);
	free(text);
	err_init(&e);
	CHECK(path != NULL);
	CHECK_OK(conf_init(&cf, keys, NKEYS, "TESTP_", &e));
	CHECK(conf_read_file(&cf, path, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, ":1: line too long") != NULL);
	CHECK(conf_str(&cf, "dir") == NULL);
	conf_release(&cf);
}

TEST_MAIN(T(test_conf_defaults_and_types),
	  T(test_conf_precedence_and_sources),
	  T(test_conf_bad_file_refused_with_line),
	  T(test_conf_long_line_refused))
