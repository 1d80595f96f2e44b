/*
 * fuzz_import.c - libFuzzer target for the lines of `presidio import`
 * (node/cli/import_line.h): arbitrary bytes read as a stream of bounded
 * lines, each parsed into an operation.  Neither may crash, leak, read
 * past its buffer, or accept a line over the limit; an accepted operation
 * has every part the importer uses.
 *
 * Built with clang -fsanitize=fuzzer (make fuzz) from this file and the
 * project library (common/ for ids and errors), with Jansson and
 * libsodium.  The code under test lives with the command line, which is
 * not in the library: its one file is compiled in here.  The first input byte picks the
 * line limit (1 to 255 bytes, or 4 KiB for 0; the real 1 MiB would only
 * slow each run down with its buffer), so that the too-long path is
 * reached by small inputs too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/import_line.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_reader r;
	struct import_op op;
	struct err e;
	size_t max;
	FILE *f;
	int rc, got = 0;

	if (size < 2)
		return 0;
	max = data[0] == 0 ? 4096 : (size_t)data[0];
	f = fmemopen((void *)(data + 1), size - 1, "r");
	if (!f)
		return 0;
	err_init(&e);
	if (import_reader_init(&r, f, max, &e)) {
		fclose(f);
		return 0;
	}
	while ((rc = import_read_line(&r, &got, &e)) == 0 && got) {
		if (r.len > max)
			abort();
		if (import_parse_line(r.buf, r.len, &op, &e) == 0 &&
		    (!op.collection || !json_is_object(op.fields) ||
		     !op.doc))
			abort();
		import_op_release(&op);
	}
	/* A refusal always says why. */
	if (rc < 0 && !e.msg[0])
		abort();
	import_reader_release(&r);
	fclose(f);
	return 0;
}
