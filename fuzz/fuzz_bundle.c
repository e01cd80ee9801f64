/* fuzz_bundle.c: libFuzzer target for the plain bundle reader, on bytes
 * in memory as a bundle read from a stick is.  Any input must be refused
 * with a message or opened, never a crash, leak or undefined behaviour;
 * an opened one is read row by row as the merge reads it.
 *
 * Seeds: bundles written by khaosat (see fuzz/README.md). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sync/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Step through every row of every table, touching each column. */
static void read_all_rows(sqlite3 *db)
{
    static const char *const sql[] = {
        "SELECT * FROM forms", "SELECT * FROM interviews",
        "SELECT * FROM revisions", "SELECT * FROM items",
        "SELECT * FROM audit",
    };
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(db, sql[i], -1, &s, NULL) != SQLITE_OK)
            continue;
        while (sqlite3_step(s) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(s); c++)
                (void)sqlite3_column_bytes(s, c);
        sqlite3_finalize(s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 24))
        return 0;
    unsigned char *copy = sqlite3_malloc64(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    bundle *b = NULL;
    char *err = NULL;
    if (bundle_open_memory("fuzz.khb", copy, size, &b, &err) == 0)
        read_all_rows(bundle_sqlite(b));
    bundle_close(b);
    free(err);
    return 0;
}
