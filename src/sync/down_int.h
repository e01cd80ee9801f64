/* down_int.h: the downstream bundle, from an office to one of its laptops
 * (see khaosat-bundle(5), DOWNSTREAM BUNDLES): returned interviews with
 * the supervisor's comment, the commune's set-up and the office's forms.
 * Its plain image is a SQLite database of its own kind ("KHAD"), only
 * ever sealed and signed by the office (envelope.c); these functions are
 * private to src/sync, everything else goes through sync.h. */
#ifndef KHAOSAT_DOWN_INT_H
#define KHAOSAT_DOWN_INT_H

#include <stddef.h>

#include "core/catalog.h"
#include "store/store.h"
#include "sync/bundle.h"
#include "sync/sync.h"

/* PRAGMA application_id of downstream images: "KHAD". */
#define DOWN_APP_ID 0x4B484144
/* The downstream format this khaosat writes and the newest it reads (2
 * added the form versions the office allows to break drafts and the
 * decided duplicates; 3 the office's sequence number in the manifest and
 * the complete set of its decisions, so that one it took back is taken
 * back on the laptop too; formats 1 and 2 are read too). */
#define DOWN_FORMAT 3

/* Limits of a downstream image, beyond those of bundles. */
#define DOWN_MAX_VILLAGES 10000L
#define DOWN_MAX_HOUSEHOLDS 1000000L

/* What a downstream image says about itself; strings owned. */
typedef struct down_info {
    char *uuid, *created, *office, *device, *commune;
    long reviews, forms, villages, households;
    long format;
    long long sequence;     /* the office's order (format 3), else 0 */
    long states[3];         /* reviews returned, approved, cleared */
} down_info;

typedef struct down_bundle down_bundle;

/* Build the downstream image for laptop device from st (its returns,
 * set-up) and the forms of cat (may be NULL): *img (sqlite3_malloc64,
 * free with bundle_image_free) of *len bytes; m gets the uuid, created
 * and interviews (the reviews) that the envelope's header needs (clear it
 * with bundle_manifest_clear); *returns the returns among them. */
int down_build(store *st, const catalog *cat, const char *device,
               unsigned char **img, size_t *len, bundle_manifest *m,
               long *returns, char **err);
/* At an office, before writing downstream bundles with the forms of cat
 * (may be NULL): 0, or -1 with *err (newly allocated, naming the form
 * file) when a form has a version this office keeps with another text. */
int down_forms_check(store *st, const catalog *cat, char **err);
/* At an office, once downstream bundles went with the forms of cat (may
 * be NULL): keep each as one of this database's forms, in one
 * transaction.  0, or -1 with *err (newly allocated). */
int down_forms_keep(store *st, const catalog *cat, char **err);

/* The office's setting that allows its version VERSION of form FORM to
 * replace, on its laptops, a version drafts were started under even when
 * they would lose answers: key "down_allow.FORM", value VERSION. */
#define DOWN_ALLOW_SETTING "down_allow."

/* Check the downstream image data (len bytes from sqlite3_malloc64, taken
 * over whatever happens; name for messages) and open it: its kind and
 * format, exact schema, integrity, manifest, and every row.  *err says
 * what is wrong without the file's name: the caller, which opened the
 * file, names it once. */
int down_open_memory(const char *name, unsigned char *data, size_t len,
                     down_bundle **out, char **err);
/* Close it, wiping the image (NULL is fine). */
void down_close(down_bundle *d);
/* The verified SQLite image (borrowed; *len its size). */
const unsigned char *down_image(const down_bundle *d, size_t *len);
/* What it says about itself. */
const down_info *down_get_info(const down_bundle *d);
/* The read-only handle of the verified image, for reading its rows. */
sqlite3 *down_sqlite(down_bundle *d);
/* The file it came from. */
const char *down_path(const down_bundle *d);

/* Asked, inside the transaction, when d brings newer versions of forms
 * kept here:
 * changes is what they change (one line each, "" when nothing drafts
 * here use); non-zero installs them and takes the bundle. */
typedef int (*down_ask_fn)(void *ctx, const char *changes);

/* Apply the verified d to the laptop st in one transaction: 0, 1 when it
 * (or a newer one) was taken before and nothing changed, 3 when ask (may
 * be NULL: the versions install) declined the new form versions and
 * nothing changed, -1 with *err (naming the file) and the database as it
 * was. */
int down_apply(store *st, down_bundle *d, down_ask_fn ask, void *ask_ctx,
               sync_down_counts *out, char **err);

#endif
