/* origin.h: where each interview of a database came from, for reports
 * that compare communes held in one office or province database (merged
 * bundles). Read on a connection the caller opened (read-only is fine). */
#ifndef KHAOSAT_ORIGIN_H
#define KHAOSAT_ORIGIN_H

#include <sqlite3.h>

/* One interview's origin and state. Strings valid during the call. */
typedef struct store_origin {
    const char *uuid;
    const char *commune;  /* of the bundle its first revision came in (a
                           * later bundle from its own device naming
                           * another commune takes it over), else
                           * this database's set-up code (khaosat setup
                           * commune), else its commune setting, else "" */
    long conflicts;       /* open conflicts on it */
    long duplicates;      /* duplicate pairs it is part of */
    const char *review;   /* "approved", "returned" or "" */
    int complete;         /* finalised (not a draft) */
    int superseded;       /* a duplicate the office superseded (only from
                           * store_reader_scope_origins; else 0) */
} store_origin;

/* Called for each interview, in the order of their UUIDs; non-zero stops. */
typedef int (*store_origin_fn)(void *ctx, const store_origin *o);

/* Call fn for every interview of db. Tables an older schema lacks count as
 * empty. Returns 0, fn's value, or an SQLite error code. */
int store_origins(sqlite3 *db, store_origin_fn fn, void *ctx);

/* Run insert (an INSERT naming its columns: store_origin's, then
 * extra's) over every interview's origin, extra being more columns of
 * the interview i; 0 or an SQLite error code. */
int store_origins_into(sqlite3 *db, const char *insert, const char *extra);

#endif
