/* bundle_int.h: what the bundle's source files share. */
#ifndef KHAOSAT_BUNDLE_INT_H
#define KHAOSAT_BUNDLE_INT_H

#include "sync/bundle.h"

/* The tables of a bundle, in the order they are hashed. */
enum bundle_table {
    BT_MANIFEST, BT_FORMS, BT_INTERVIEWS, BT_REVISIONS, BT_ITEMS, BT_AUDIT,
    BT_COUNT
};

/* Name and exact CREATE statement of each table: a bundle whose schema
 * differs in any byte is refused. */
extern const char *const bundle_table_name[BT_COUNT];
extern const char *const bundle_table_sql[BT_COUNT];

/* The manifest keys, in the order they are hashed (sorted); the last,
 * "sha256", is not hashed. */
#define BUNDLE_NKEYS 12
extern const char *const bundle_manifest_key[BUNDLE_NKEYS];

/* Non-zero when s is a lowercase hex SHA-256. */
int bundle_is_hex64(const char *s);
/* Non-zero when s looks like a UUID (36 characters, hex and dashes). */
int bundle_is_uuid(const char *s);

#endif
