/* fuzz_envelope.c: libFuzzer target for sealed bundles: the clear header
 * parser on the raw bytes, then the whole opening path (header, sender,
 * size, streamed signature and decryption, the plain bundle inside) on
 * the bytes written to a file, at an office that trusts one laptop.
 *
 * The office and the laptop live in $FUZZ_ENVELOPE_DIR (default
 * fuzz-envelope), made on the first run together with a genuine sealed
 * bundle in its corpus/ directory to start from (see fuzz/README.md). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "sync/envelope.h"
#include "sync/keys.h"
#include "core/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static store *office;
static char *input;

/* Open (creating) the database name in dir with role. */
static store *node(const char *dir, const char *name, const char *role)
{
    char *path = xasprintf("%s/%s", dir, name), *err = NULL;
    store *st = NULL;
    if (store_open(path, &st, &err) != 0) {
        fprintf(stderr, "fuzz_envelope: %s\n", err);
        exit(1);
    }
    free(path);
    store_setting_set(st, STORE_SET_ROLE, role);
    return st;
}

/* truster trusts trusted's card for purpose. */
static void trust(store *truster, store *trusted, const char *purpose)
{
    keys_self self;
    keys_card c;
    char *err = NULL;
    if (keys_self_get(trusted, 1, &self, &err) != 0) {
        fprintf(stderr, "fuzz_envelope: %s\n", err);
        exit(1);
    }
    char *text = keys_card_text(&self);
    if (keys_card_parse("card", text, strlen(text), &c, &err) == 0) {
        keys_trust(truster, &c, purpose, &err);
        keys_card_clear(&c);
    }
    free(err);
    free(text);
    keys_self_clear(&self);
}

/* The first run: a laptop with one interview, trusted by the office, and
 * its sealed bundle in dir/corpus. */
static void first_run(const char *dir)
{
    store *lap = node(dir, "laptop.db", "laptop");
    trust(lap, office, "upstream");
    trust(office, lap, "accept");
    static const char form[] = "id: f\nversion: \"1\"\ntitle: F\n"
        "questions:\n  - id: q\n    type: text\n    label: Q\n";
    char uuid[37];
    store_save_form(lap, "f", "1", form, sizeof form - 1, NULL);
    if (store_interview_create(lap, "f", "1", "x", uuid) == 0) {
        store_save_answer(lap, uuid, "q", "", "an answer");
        store_interview_set_status(lap, uuid, STORE_COMPLETE);
    }
    char *corpus = xasprintf("%s/corpus", dir), *path = NULL, *err = NULL;
    char fpr[KEYS_FPR_SIZE];
    long n;
    mkdir(corpus, 0700);
    if (envelope_export(lap, corpus, 0, &path, &n, fpr, &err) != 0)
        fprintf(stderr, "fuzz_envelope: %s\n", err);
    free(path);
    free(err);
    free(corpus);
    store_close(lap);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("FUZZ_ENVELOPE_DIR");
    if (!dir || !*dir)
        dir = "fuzz-envelope";
    struct stat sb;
    int fresh = stat(dir, &sb) != 0;
    mkdir(dir, 0700);
    office = node(dir, "office.db", "office");
    if (fresh)
        first_run(dir);
    input = xasprintf("%s/input-%ld.khb", dir, (long)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    envelope_header h;
    size_t hlen;
    char *err = NULL;
    if (envelope_header_parse((const char *)data, size, &h, &hlen, &err) < 0)
        free(err);
    err = NULL;
    FILE *f = fopen(input, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    bundle *b = NULL;
    envelope_info info;
    if (envelope_open(office, input, 0, &b, &info, &err) == 0)
        envelope_info_clear(&info);
    bundle_close(b);
    free(err);
    unlink(input);
    return 0;
}
