# Presidio - one binary, `presidio`; see README.md.
#
#   make            build ./presidio (in $(BUILD), default build/)
#   make demo       the BdI procedure on a hub and three nodes (README's
#                   first command)
#   make tour       a scripted tour of one node
#   make check      check-style, unit + end-to-end tests (the fuzz targets'
#                   seed corpora replayed among the units), then again
#                   under ASan+UBSan
#   make bench      benchmarks (figures on stdout); BENCH_BASE=REF runs
#                   commit REF's side by side and compares the medians
#   make soak       long randomized merge runs (SOAK_SECONDS=600), then
#                   the fuzz targets for SOAK_FUZZ_SECONDS each (60)
#   make install    the binary, man pages, bash completion: PREFIX=/usr/local
#                   DESTDIR=; make install-system adds presidio.conf and the
#                   systemd units
#   make man        the man pages (packaging/man/*.scd, scdoc) in $(BUILD)/man
#   make deb        the Debian package (packaging/debian, dpkg-buildpackage)
#                   in $(BUILD)/
#   make check-style  banned functions, file size
#   make fuzz       libFuzzer targets (tests/fuzz/fuzz_*.c, clang) built in
#                   build-fuzz/ and run FUZZ_SECONDS each (default 3)
#
# Layers, each depending only on those after it:
#   node/cli (commands) -> view (JSON views) -> sync -> registry (the hub's)
#   -> node (store) -> conflict -> schema -> common
#   sync (the hub's endpoints), the web interface (node/ui) -> http (the
#   HTTP server, routing, cookies) -> common; node/ui -> view -> node

PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = sqlite3 jansson libsodium zlib libcurl libmicrohttpd

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
# Not libcurl nor libmicrohttpd: the program opens them when it first
# talks to a hub or serves HTTP (sync/libcurl.h, http/libmhd.h say why).
# The tests that drive HTTP with libcurl themselves link it.
PKG_LIBS := $(shell $(PKG_CONFIG) --libs \
	$(filter-out libcurl libmicrohttpd,$(PKGS)))
CURL_LIBS := $(shell $(PKG_CONFIG) --libs libcurl)

WARN = -Wall -Wextra -Werror -Wpedantic -Wshadow -Wconversion \
	-Wno-sign-conversion -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wwrite-strings -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) -I. -I$(BUILD)/gen \
	$(PKG_CFLAGS)
DEPFLAGS = -MMD -MP
LDLIBS = $(PKG_LIBS) -lm -pthread

ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
# Linked here, so that common/dlib.c finds them loaded: this ASan (GCC
# 12's) reports sodium_malloc()'s memset on memory that had been a thread
# stack when a library was opened at run time (its thread bookkeeping
# misreads the stack, test_pull_passed failed every time).
PKG_LIBS += -Wl,--no-as-needed $(shell $(PKG_CONFIG) --libs libcurl \
	libmicrohttpd)
endif

# The fuzz build (make fuzz): the library with clang, instrumented for
# libFuzzer and checked by ASan+UBSan.
ifeq ($(FUZZ),1)
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

LIB_SRC := $(wildcard common/*.c schema/*.c conflict/*.c node/*.c http/*.c \
	registry/*.c sync/*.c view/*.c node/ui/*.c)
CLI_SRC := $(wildcard node/cli/*.c)
MIGRATIONS := $(sort $(wildcard schema/migrations/*.sql)) \
	$(sort $(wildcard schema/migrations/keys/*.sql))
GEN_SRC := $(BUILD)/gen/migrations.c
# The web interface's files, embedded (node/ui/ui_pages.h).
UI_PAGES := $(sort $(wildcard node/ui/pages/*))
UI_GEN := $(BUILD)/gen/ui_pages.c

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o \
	$(BUILD)/obj/gen/ui_pages.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libpresidio.a
BIN := $(BUILD)/presidio

TEST_SRC := $(wildcard tests/common/test_*.c tests/schema/test_*.c \
	tests/conflict/test_*.c tests/node/test_*.c tests/http/test_*.c \
	tests/registry/test_*.c tests/sync/test_*.c tests/view/test_*.c \
	tests/ui/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# The test runner, and the collections only the tests know
# (tests/schema/collections.h), registered before main() in every binary
# they are linked into.
TEST_SUPPORT := $(BUILD)/obj/tests/test.o \
	$(BUILD)/obj/tests/schema/collections.o \
	$(BUILD)/obj/tests/schema/collections_rules.o \
	$(BUILD)/obj/tests/schema/next.o
# The end-to-end scripts' command line (tests/e2e/lib.sh): the program
# with key slots made at Argon2id's minimum cost (KEYSLOT_TEST_COST in
# node/keyslot.h; the scripts unlock thousands of times), and the same
# with the test collections too, for the scripts that write them
# (E2E_TEST_SCHEMA=1).  Never installed.
E2E_CLI := $(BUILD)/tests/presidio-e2e
TEST_CLI := $(BUILD)/tests/presidio-test
E2E_KEYSLOT_OBJ := $(BUILD)/obj/e2e/node/keyslot.o
# Standalone test tools (not named test_*: tests/run.sh runs those).
TOOL_BIN := $(BUILD)/tests/tools/faultproxy $(BUILD)/tests/tools/holdconn
# Fuzz targets: every tests/fuzz/fuzz_*.c, each with its seed corpus in
# tests/fuzz/corpus/NAME/ (tests/fuzz/run.sh).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 3
FUZZ_CC ?= clang
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)
# The same targets, each replaying its seed corpus once as a unit test of
# every build (tests/fuzz/replay.c): make check runs them.
FUZZ_REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/fuzz/test_fuzz_%)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

# The support objects are shared by every test binary: keep them.
.SECONDARY: $(TEST_SUPPORT)

.PHONY: all check check-behind check-fast bench soak install install-system man deb clean \
	check-style tests tour demo fuzz fuzz-build fuzz-bins fuzz-corpus
all: $(BIN) presidio

presidio: $(BIN)
	ln -sf $(BIN) presidio

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

TEST_SCHEMA_OBJ := $(BUILD)/obj/tests/schema/collections.o \
	$(BUILD)/obj/tests/schema/collections_rules.o \
	$(BUILD)/obj/tests/schema/next.o

$(E2E_KEYSLOT_OBJ): node/keyslot.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DKEYSLOT_TEST_COST $(DEPFLAGS) -c -o $@ $<

# The object given before the library replaces the library's keyslot.o.
$(E2E_CLI): $(CLI_OBJ) $(E2E_KEYSLOT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(E2E_KEYSLOT_OBJ) $(LIB) $(LDLIBS)

$(TEST_CLI): $(CLI_OBJ) $(E2E_KEYSLOT_OBJ) $(TEST_SCHEMA_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(E2E_KEYSLOT_OBJ) \
		$(TEST_SCHEMA_OBJ) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/migrations.o: $(GEN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/ui_pages.o: $(UI_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(UI_GEN): $(UI_PAGES) node/ui/embed.sh
	@mkdir -p $(dir $@)
	sh node/ui/embed.sh $@ $(UI_PAGES)

$(GEN_SRC): $(MIGRATIONS) schema/embed.sh
	@mkdir -p $(dir $@)
	sh schema/embed.sh $@ $(MIGRATIONS)

# libcurl only in the tests that call it themselves (tests/http's
# client): the others, like the program, open it when a client needs it.
$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT) $(LIB)
	@mkdir -p $(dir $@) $(dir $(BUILD)/dep/tests/$*)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $(BUILD)/dep/tests/$*.d $(LDFLAGS) \
		-o $@ $< $(TEST_SUPPORT) $(LIB) $(LDLIBS) \
		-Wl,--as-needed $(CURL_LIBS) -Wl,--no-as-needed

# A fuzz target with the corpus replay's main, in this build's flags.
$(FUZZ_REPLAY_BIN): $(BUILD)/tests/fuzz/test_fuzz_%: tests/fuzz/fuzz_%.c \
		$(BUILD)/obj/tests/fuzz/replay.o $(LIB)
	@mkdir -p $(dir $@) $(BUILD)/dep/tests/fuzz
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $(BUILD)/dep/tests/fuzz/test_$*.d \
		$(LDFLAGS) -o $@ $< $(BUILD)/obj/tests/fuzz/replay.o $(LIB) \
		$(LDLIBS)

# A libFuzzer target: the library of this (FUZZ=1) build, libFuzzer's
# main.
$(BUILD)/tests/fuzz/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@) $(BUILD)/dep/tests/fuzz
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $(BUILD)/dep/tests/fuzz/$*.d \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(LIB) $(LDLIBS)

# Tools use libc and pthreads only, no project library.
$(BUILD)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@) $(BUILD)/dep/tests/tools
	$(CC) $(ALL_CFLAGS) -pthread $(DEPFLAGS) \
		-MF $(BUILD)/dep/tests/tools/$*.d $(LDFLAGS) -o $@ $< -pthread

$(BUILD)/bench/%: tests/bench/%.c $(TEST_SUPPORT) $(LIB)
	@mkdir -p $(dir $@) $(BUILD)/dep/bench
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $(BUILD)/dep/bench/$*.d $(LDFLAGS) \
		-o $@ $< $(TEST_SUPPORT) $(LIB) $(LDLIBS)

tests: $(BIN) $(E2E_CLI) $(TEST_CLI) $(TEST_BIN) $(TOOL_BIN) $(FUZZ_REPLAY_BIN)

# The demo (the README's first command): a hub and three nodes on
# loopback, one case through the Budget di Integrazione procedure.
demo: $(BIN)
	sh packaging/demo.sh

# A scripted tour of the engine: one node, then a hub and two nodes.
tour: $(BIN)
	sh packaging/tour.sh

# The style check (a few seconds), then unit and end-to-end tests, plain
# then under sanitizers; the last line of output is the total "N passed,
# N failed".  Each fuzz target replays its seed corpus among the unit
# tests of both builds (tests/fuzz/replay.c); fuzzing itself, clang's
# libFuzzer mutating the inputs, is `make fuzz` and `make soak`: a fuzz
# build of its own cost a tenth of the suite's processor for 3 seconds a
# target.  The machine has two cores: builds use both (CHECK_JOBS).  The
# sanitizer build is made behind the plain build's tests, in the time
# those wait (tests/run.sh, RUN_BEHIND).
CHECK_JOBS ?= 2
check: check-style
	$(MAKE) -j$(CHECK_JOBS) tests
	RUN_BEHIND="$(MAKE) --no-print-directory check-behind" \
		sh tests/run.sh build build-asan

# The sanitizer build, which make check builds behind the plain build's
# tests.  Debug information:
# line tables only (-g1), all that a sanitizer's report prints, for a
# quarter less compiling.
check-behind:
	$(MAKE) -j$(CHECK_JOBS) BUILD=build-asan SANITIZE=1 CFLAGS="-O1 -g1" tests

# The fuzz targets, built with clang in $(FUZZ_BUILD), then run from their
# seed corpora (a crash, a leak or a sanitizer report fails).
fuzz: fuzz-build
	sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) FUZZ=1 CFLAGS="-O1 -g1" \
		fuzz-bins

fuzz-bins: $(FUZZ_BIN)

# The seed corpora's batches, pull pages and version sets, made again by
# the real encoder (commit the result; only when the formats change).
fuzz-corpus: $(BUILD)/fuzz-gen/gen_corpus
	@mkdir -p tests/fuzz/corpus
	$(BUILD)/fuzz-gen/gen_corpus tests/fuzz/corpus

$(BUILD)/fuzz-gen/gen_corpus: tests/fuzz/gen_corpus.c $(TEST_SUPPORT) $(LIB)
	@mkdir -p $(dir $@) $(BUILD)/dep/fuzz-gen
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -MF $(BUILD)/dep/fuzz-gen/gen.d \
		$(LDFLAGS) -o $@ $< $(TEST_SUPPORT) $(LIB) $(LDLIBS)

# One build only, for quick iterations.
check-fast: tests
	sh tests/run.sh $(BUILD)

# BENCH_BASE=REF: the same benchmarks of commit REF built and run in turn
# with these, BENCH_ROUNDS times each, and a table of medians side by side.
BENCH_BASE ?=
bench: $(BIN) $(BENCH_BIN)
	$(if $(BENCH_BASE),sh tests/bench/compare.sh $(BENCH_BASE) $(BUILD),sh tests/bench/run.sh $(BUILD))

# 10,000 seeds of the sync simulator (SYNC_SIM_SEEDS), then the merge
# simulator on random seeds for SOAK_SECONDS (default 600), from
# SOAK_SEED when set; prints the seed of any failure and how to replay it.
# Then every fuzz target for SOAK_FUZZ_SECONDS (make fuzz).
SOAK_FUZZ_SECONDS ?= 60
soak: $(BIN) $(TEST_CLI) $(TEST_BIN)
	sh tests/soak.sh $(BUILD)
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(SOAK_FUZZ_SECONDS)

# The man pages, from their scdoc sources.
MAN_SRC := $(sort $(wildcard packaging/man/*.scd))
MAN_OUT := $(MAN_SRC:packaging/man/%.scd=$(BUILD)/man/%)

man: $(MAN_OUT)

$(BUILD)/man/%: packaging/man/%.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@.tmp && mv $@.tmp $@

install: $(BIN) man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/presidio
	install -m 0644 $(filter %.1,$(MAN_OUT)) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(filter %.5,$(MAN_OUT)) $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0644 packaging/bash-completion/presidio \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/presidio

# What a server installs besides: the configuration file and the units.
UNITDIR ?= /lib/systemd/system
install-system:
	install -d $(DESTDIR)/etc/presidio $(DESTDIR)$(UNITDIR)
	install -m 0644 packaging/presidio.conf $(DESTDIR)/etc/presidio/presidio.conf
	install -m 0644 packaging/systemd/*.service $(DESTDIR)$(UNITDIR)

# The Debian package, built from a copy of the tree (packaging/deb.sh).
deb:
	sh packaging/deb.sh $(BUILD)

check-style:
	sh tests/check-style.sh

clean:
	rm -rf build build-asan build-deb $(FUZZ_BUILD) presidio

# (Not below $(BUILD)/deb: the package's tree holds directories such as
# tmpfiles.d.)
-include $(shell find $(BUILD) -path $(BUILD)/deb -prune -o -name '*.d' \
	-type f -print 2>/dev/null)
