/*
 * replay.c - a fuzz target's seed corpus replayed once, as a unit test of
 * make check: the binary test_fuzz_NAME (the target fuzz_NAME.c linked
 * with this main) passes every file of tests/fuzz/corpus/NAME (from the
 * top of the tree, or of the directory given) through the target's
 * LLVMFuzzerTestOneInput(), in name
 * order, built with the build's own compiler and flags, so under ASan and
 * UBSan in the sanitizer build.  A crash or a sanitizer report ends the
 * binary, which tests/run.sh counts as a failure.  Mutating the inputs is
 * `make fuzz`'s work (clang's libFuzzer, tests/fuzz/run.sh), not this.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX (16u << 20) /* bytes of one seed, at most */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The whole of file path into *out (malloc'd to its size, at least one
 * byte): 0, or -1 when it cannot be read or is larger than REPLAY_MAX. */
static int slurp(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *b = NULL;
	size_t n = 0;
	int rc = -1;

	if (f && !fstat(fileno(f), &st) && st.st_size >= 0 &&
	    (uint64_t)st.st_size <= REPLAY_MAX &&
	    (b = malloc((size_t)st.st_size + 1))) {
		/* One byte more than its size: a file that grew is seen. */
		n = fread(b, 1, (size_t)st.st_size + 1, f);
		rc = ferror(f) || n != (size_t)st.st_size ? -1 : 0;
	}
	if (f)
		fclose(f);
	if (rc) {
		free(b);
		return rc;
	}
	*out = b;
	*len = n;
	return 0;
}

static int seed_file(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const char *name = strstr(base ? base + 1 : argv[0], "test_fuzz_");
	struct dirent **names = NULL;
	char corpus[1024];
	int n = -1, pass = 0, fail = 0;

	if (name)
		snprintf(corpus, sizeof(corpus), "%s/%s",
			 argc > 1 ? argv[1] : "tests/fuzz/corpus",
			 name + strlen("test_fuzz_"));
	if (name)
		n = scandir(corpus, &names, seed_file, alphasort);
	if (n <= 0) {
		printf("  %-60s FAIL\n    no seed in %s\n", "corpus",
		       name ? corpus : "(not named test_fuzz_NAME)");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		uint8_t *data = NULL;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/%s", corpus,
			 names[i]->d_name);
		if (slurp(path, &data, &len)) {
			printf("  %-60s FAIL\n    cannot read %s\n",
			       names[i]->d_name, path);
			fail++;
		} else if (LLVMFuzzerTestOneInput(data, len) != 0) {
			printf("  %-60s FAIL\n    the target returned non-zero\n",
			       names[i]->d_name);
			fail++;
		} else {
			printf("  %-60s ok\n", names[i]->d_name);
			pass++;
		}
		fflush(stdout);
		free(data);
		free(names[i]);
	}
	free(names);
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
