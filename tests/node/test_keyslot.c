/*
 * test_keyslot.c - node/keyslot.c: wrapping operators' secret keys and
 * sealing data keys to slots.
 *
 * Each passphrase derivation runs Argon2id at the real cost (about a third
 * of a second), so most tests use key-file slots, which derive with BLAKE2b;
 * the passphrase tests run about eight derivations in all.
 */
#include "node/keyslot.h"
#include "tests/test.h"

#define PASS "correct horse battery"
#define PASSLEN (sizeof(PASS) - 1)

static void keyfile(uint8_t *kf, uint8_t b)
{
	memset(kf, b, KEYSLOT_KEYFILEBYTES);
	kf[0] = 0x5a;
}

static void test_passphrase_round_trip(void)
{
	struct keyslot slot;
	struct err e;
	uint8_t *sk = NULL, *sk2 = NULL;
	int rc, same = 0;

	err_init(&e);
	rc = keyslot_create(&slot, "m.rossi@cam", KEYSLOT_PASSPHRASE,
			    (const uint8_t *)PASS, PASSLEN, &sk, &e);
	if (rc == 0)
		rc = keyslot_open(&slot, (const uint8_t *)PASS, PASSLEN, &sk2,
				  &e);
	if (rc == 0)
		same = sodium_memcmp(sk, sk2, KEYSLOT_SKBYTES) == 0;
	sodium_free(sk);
	sodium_free(sk2);
	CHECK_OK(rc);
	CHECK(same);
	CHECK(strcmp(slot.operator, "m.rossi@cam") == 0);
	CHECK(slot.kind == KEYSLOT_PASSPHRASE);
	CHECK(slot.opslimit == KEYSLOT_OPSLIMIT);
	CHECK(slot.memlimit == KEYSLOT_MEMLIMIT);
}

static void test_keyfile_round_trip(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES];
	struct keyslot slot;
	uint8_t *sk = NULL;
	int rc, rc_nosk;

	keyfile(kf, 1);
	rc_nosk = keyslot_create(&slot, "server-1", KEYSLOT_KEYFILE, kf,
				 sizeof(kf), NULL, NULL);
	rc = keyslot_open(&slot, kf, sizeof(kf), &sk, NULL);
	sodium_free(sk);
	CHECK_OK(rc_nosk);
	CHECK_OK(rc);
	CHECK(slot.kind == KEYSLOT_KEYFILE);
}

/* A wrong passphrase is ERR_AUTH and leaves the slot as it was. */
static void test_wrong_passphrase(void)
{
	static const char wrong[] = "correct horse battery!";
	struct keyslot slot, before;
	struct err e;
	uint8_t *sk = NULL;
	int rc, rc_open;

	err_init(&e);
	rc = keyslot_create(&slot, "anna", KEYSLOT_PASSPHRASE,
			    (const uint8_t *)PASS, PASSLEN, NULL, &e);
	CHECK_OK(rc);
	before = slot;
	rc_open = keyslot_open(&slot, (const uint8_t *)wrong,
			       sizeof(wrong) - 1, &sk, &e);
	CHECK(rc_open == ERR_AUTH);
	CHECK(sk == NULL);
	CHECK(e.code == ERR_AUTH);
	CHECK(strcmp(e.msg, "wrong passphrase for operator anna") == 0);
	CHECK(memcmp(&slot, &before, sizeof(slot)) == 0);
}

static void test_wrong_keyfile(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES], other[KEYSLOT_KEYFILEBYTES];
	struct keyslot slot;
	struct err e;
	uint8_t *sk = NULL;
	int rc, rc_wrong, rc_short;

	keyfile(kf, 1);
	keyfile(other, 2);
	err_init(&e);
	rc = keyslot_create(&slot, "srv", KEYSLOT_KEYFILE, kf, sizeof(kf),
			    NULL, NULL);
	CHECK_OK(rc);
	rc_short = keyslot_open(&slot, kf, sizeof(kf) - 1, &sk, NULL);
	rc_wrong = keyslot_open(&slot, other, sizeof(other), &sk, &e);
	CHECK(rc_short == ERR_INVALID);
	CHECK(rc_wrong == ERR_AUTH);
	CHECK(sk == NULL);
	CHECK(strcmp(e.msg, "wrong key file for operator srv") == 0);
}

static void test_seal_dek(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES];
	uint8_t sealed[KEYSLOT_SEALEDBYTES];
	struct keyslot a, b;
	struct err e;
	uint8_t *ska = NULL, *skb = NULL, *dek = NULL;
	uint8_t *got = NULL, *got_gen = NULL, *got_other = NULL;
	int rc, rc_gen = 0, rc_other = 0, same = 0;

	keyfile(kf, 3);
	err_init(&e);
	dek = keyslot_new_dek();
	rc = dek ? 0 : ERR_NOMEM;
	if (rc == 0)
		rc = keyslot_create(&a, "a", KEYSLOT_KEYFILE, kf, sizeof(kf),
				    &ska, NULL);
	if (rc == 0)
		rc = keyslot_create(&b, "b", KEYSLOT_KEYFILE, kf, sizeof(kf),
				    &skb, NULL);
	if (rc == 0)
		rc = keyslot_seal_dek(&a, 7, dek, sealed);
	if (rc == 0)
		rc = keyslot_open_dek(&a, ska, 7, sealed, &got, NULL);
	if (rc == 0) {
		same = sodium_memcmp(got, dek, KEYSLOT_DEKBYTES) == 0;
		rc_gen = keyslot_open_dek(&a, ska, 8, sealed, &got_gen, &e);
		rc_other = keyslot_open_dek(&b, skb, 7, sealed, &got_other,
					    NULL);
	}
	sodium_free(ska);
	sodium_free(skb);
	sodium_free(dek);
	sodium_free(got);
	sodium_free(got_gen);
	sodium_free(got_other);
	CHECK_OK(rc);
	CHECK(same);
	CHECK(rc_gen == ERR_CORRUPT);
	CHECK(strstr(e.msg, "generation 7, expected 8"));
	CHECK(got_gen == NULL);
	CHECK(rc_other == ERR_CORRUPT);
	CHECK(got_other == NULL);
}

/* Another slot's secret key, even with the right public key, fails. */
static void test_open_dek_wrong_sk(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES];
	uint8_t sealed[KEYSLOT_SEALEDBYTES];
	struct keyslot a, b;
	uint8_t *ska = NULL, *skb = NULL, *got = NULL;
	uint8_t *dek = keyslot_new_dek();
	int rc, rc_open = 0;

	keyfile(kf, 4);
	rc = dek ? 0 : ERR_NOMEM;
	if (rc == 0)
		rc = keyslot_create(&a, "a", KEYSLOT_KEYFILE, kf, sizeof(kf),
				    &ska, NULL);
	if (rc == 0)
		rc = keyslot_create(&b, "b", KEYSLOT_KEYFILE, kf, sizeof(kf),
				    &skb, NULL);
	if (rc == 0)
		rc = keyslot_seal_dek(&a, 1, dek, sealed);
	if (rc == 0)
		rc_open = keyslot_open_dek(&a, skb, 1, sealed, &got, NULL);
	sodium_free(ska);
	sodium_free(skb);
	sodium_free(dek);
	sodium_free(got);
	CHECK_OK(rc);
	CHECK(rc_open == ERR_CORRUPT);
}

static void test_new_dek_random(void)
{
	uint8_t *a = keyslot_new_dek();
	uint8_t *b = keyslot_new_dek();
	int differ = a && b && memcmp(a, b, KEYSLOT_DEKBYTES) != 0;

	sodium_free(a);
	sodium_free(b);
	CHECK(differ);
}

static void test_operator_names(void)
{
	char longest[KEYSLOT_OPERATOR_MAX];
	char too_long[KEYSLOT_OPERATOR_MAX + 1];
	struct err e;

	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	err_init(&e);
	CHECK(keyslot_check_operator("", &e) == ERR_INVALID);
	CHECK(e.code == ERR_INVALID && e.msg[0]);
	CHECK(keyslot_check_operator(NULL, NULL) == ERR_INVALID);
	CHECK(keyslot_check_operator(too_long, NULL) == ERR_INVALID);
	CHECK(keyslot_check_operator("a b", NULL) == ERR_INVALID);
	CHECK(keyslot_check_operator("../x", NULL) == ERR_INVALID);
	CHECK(keyslot_check_operator("-x", NULL) == ERR_INVALID);
	CHECK(keyslot_check_operator("..", NULL) == ERR_INVALID);
	CHECK(keyslot_check_operator(".hidden", NULL) == ERR_INVALID);
	CHECK(keyslot_check_operator("a\n", NULL) == ERR_INVALID);
	CHECK(keyslot_check_operator("\xc3\xa8", NULL) == ERR_INVALID);
	CHECK_OK(keyslot_check_operator("m.rossi@cam", NULL));
	CHECK_OK(keyslot_check_operator("A-z_0.9@x", NULL));
	CHECK_OK(keyslot_check_operator(longest, NULL));
}

/* keyslot_create checks the name, kind and secret before any work. */
static void test_create_refused(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES];
	struct keyslot slot;
	struct err e;
	uint8_t *sk = NULL;

	keyfile(kf, 5);
	memset(&slot, 0x77, sizeof(slot));
	err_init(&e);
	CHECK(keyslot_create(&slot, "anna", KEYSLOT_PASSPHRASE,
			     (const uint8_t *)"1234567", 7, &sk,
			     &e) == ERR_INVALID);
	CHECK(strcmp(e.msg, "passphrase too short (at least 8 characters)") ==
	      0);
	CHECK(sk == NULL);
	CHECK(keyslot_create(&slot, "a b", KEYSLOT_KEYFILE, kf, sizeof(kf),
			     &sk, NULL) == ERR_INVALID);
	CHECK(keyslot_create(&slot, "srv", KEYSLOT_KEYFILE, kf, 16, &sk,
			     NULL) == ERR_INVALID);
	CHECK(keyslot_create(&slot, "srv", (enum keyslot_kind)9, kf,
			     sizeof(kf), &sk, NULL) == ERR_INVALID);
	CHECK(sk == NULL);
	CHECK(slot.operator[0] == 0x77); /* untouched */
}

/* The wrap binds operator name and kind: a renamed slot does not open. */
static void test_renamed_slot_fails(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES];
	struct keyslot slot, moved;
	uint8_t *sk = NULL;
	int rc, rc_name, rc_kind;

	keyfile(kf, 6);
	rc = keyslot_create(&slot, "anna", KEYSLOT_KEYFILE, kf, sizeof(kf),
			    NULL, NULL);
	CHECK_OK(rc);
	moved = slot;
	memcpy(moved.operator, "anne", 5);
	rc_name = keyslot_open(&moved, kf, sizeof(kf), &sk, NULL);
	CHECK(sk == NULL);
	moved = slot;
	moved.kind = KEYSLOT_PASSPHRASE;
	moved.opslimit = crypto_pwhash_OPSLIMIT_MIN;
	moved.memlimit = crypto_pwhash_MEMLIMIT_MIN;
	rc_kind = keyslot_open(&moved, kf, sizeof(kf), &sk, NULL);
	CHECK(sk == NULL);
	CHECK(rc_name == ERR_AUTH);
	CHECK(rc_kind == ERR_AUTH);
}

/* Any changed byte of the wrapped secret key is ERR_AUTH. */
static void test_tampered_wrapped(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES];
	struct keyslot slot, bad;
	uint8_t *sk = NULL;
	size_t wrong = SIZE_MAX;
	int rc;

	keyfile(kf, 7);
	rc = keyslot_create(&slot, "anna", KEYSLOT_KEYFILE, kf, sizeof(kf),
			    NULL, NULL);
	CHECK_OK(rc);
	for (size_t i = 0; i < KEYSLOT_WRAPPEDBYTES; i++) {
		bad = slot;
		bad.wrapped[i] ^= 0x10;
		if (keyslot_open(&bad, kf, sizeof(kf), &sk, NULL) != ERR_AUTH)
			wrong = i;
		sodium_free(sk);
		sk = NULL;
	}
	bad = slot;
	bad.salt[3] ^= 1;
	rc = keyslot_open(&bad, kf, sizeof(kf), &sk, NULL);
	sodium_free(sk);
	CHECK(wrong == SIZE_MAX);
	CHECK(rc == ERR_AUTH);
}

/* A replaced public key is noticed when the owner unlocks. */
static void test_replaced_pk(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES];
	uint8_t other_sk[KEYSLOT_SKBYTES];
	struct keyslot slot;
	struct err e;
	uint8_t *sk = NULL;
	int rc;

	keyfile(kf, 8);
	err_init(&e);
	rc = keyslot_create(&slot, "anna", KEYSLOT_KEYFILE, kf, sizeof(kf),
			    NULL, NULL);
	CHECK_OK(rc);
	CHECK_OK(crypto_box_keypair(slot.pk, other_sk));
	sodium_memzero(other_sk, sizeof(other_sk));
	rc = keyslot_open(&slot, kf, sizeof(kf), &sk, &e);
	sodium_free(sk);
	CHECK(rc == ERR_CORRUPT);
	CHECK(strstr(e.msg, "public key of operator anna"));
}

/* A slot with a corrupt kind, name or Argon2id cost is refused. */
static void test_malformed_slot(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES];
	struct keyslot slot, bad;
	uint8_t *sk = NULL;
	int rc, rc_kind, rc_name, rc_cost;

	keyfile(kf, 9);
	rc = keyslot_create(&slot, "anna", KEYSLOT_KEYFILE, kf, sizeof(kf),
			    NULL, NULL);
	CHECK_OK(rc);
	bad = slot;
	bad.kind = (enum keyslot_kind)0;
	rc_kind = keyslot_open(&bad, kf, sizeof(kf), &sk, NULL);
	bad = slot;
	memset(bad.operator, 'x', sizeof(bad.operator)); /* no NUL */
	rc_name = keyslot_open(&bad, kf, sizeof(kf), &sk, NULL);
	bad = slot;
	bad.kind = KEYSLOT_PASSPHRASE;
	bad.opslimit = 0;
	rc_cost = keyslot_open(&bad, (const uint8_t *)PASS, PASSLEN, &sk,
			       NULL);
	CHECK(sk == NULL);
	CHECK(rc_kind == ERR_CORRUPT);
	CHECK(rc_name == ERR_CORRUPT);
	CHECK(rc_cost == ERR_CORRUPT);
}

/* The slot MAC binds operator, kind and public key to a data key. */
static void test_slot_mac(void)
{
	uint8_t kf[KEYSLOT_KEYFILEBYTES], dek[KEYSLOT_DEKBYTES];
	uint8_t dek2[KEYSLOT_DEKBYTES], mac[KEYSLOT_MACBYTES];
	struct keyslot slot, other;

	randombytes_buf(kf, sizeof(kf));
	randombytes_buf(dek, sizeof(dek));
	randombytes_buf(dek2, sizeof(dek2));
	CHECK_OK(keyslot_create(&slot, "m.rossi", KEYSLOT_KEYFILE, kf,
				sizeof(kf), NULL, NULL));
	keyslot_mac(&slot, dek, mac);
	CHECK_OK(keyslot_mac_check(&slot, dek, mac, sizeof(mac), NULL));
	CHECK(keyslot_mac_check(&slot, dek2, mac, sizeof(mac), NULL) ==
	      ERR_CORRUPT);
	CHECK(keyslot_mac_check(&slot, dek, NULL, 0, NULL) == ERR_CORRUPT);
	CHECK(keyslot_mac_check(&slot, dek, mac, sizeof(mac) - 1, NULL) ==
	      ERR_CORRUPT);
	other = slot;
	memcpy(other.operator, "m.rossj", 8);
	CHECK(keyslot_mac_check(&other, dek, mac, sizeof(mac), NULL) ==
	      ERR_CORRUPT);
	other = slot;
	other.pk[0] ^= 1;
	CHECK(keyslot_mac_check(&other, dek, mac, sizeof(mac), NULL) ==
	      ERR_CORRUPT);
	other = slot;
	other.kind = KEYSLOT_PASSPHRASE;
	CHECK(keyslot_mac_check(&other, dek, mac, sizeof(mac), NULL) ==
	      ERR_CORRUPT);
}

TEST_MAIN(T(test_slot_mac), T(test_passphrase_round_trip), T(test_keyfile_round_trip),
	  T(test_wrong_passphrase), T(test_wrong_keyfile),
	  T(test_seal_dek), T(test_open_dek_wrong_sk),
	  T(test_new_dek_random), T(test_operator_names),
	  T(test_create_refused), T(test_renamed_slot_fails),
	  T(test_tampered_wrapped), T(test_replaced_pk),
	  T(test_malformed_slot))
