/* revision.h: interview revisions.  A revision is one state of an
 * interview's content: its status, its answers and its repeat counts.  Its
 * id is the SHA-256 of a canonical serialisation of that content together
 * with the ids of the revision(s) it was made from, so equal ids mean equal
 * content and equal history, on any laptop.
 *
 * Items.  A revision's content is a set of items (qid, path, value): every
 * answer as stored, plus every repeat count as an item with the empty qid
 * "", the repeat's path ("members", "members[2]/crops") and the count in
 * decimal.  A real question id is never empty, so the two cannot clash.
 *
 * Canonical serialisation (fed to SHA-256, never stored):
 *   field(s)  = 0x00 when s is NULL, else 0x01, the byte length of s as
 *               8 bytes big-endian, then the bytes of s
 *   revision  = field("khaosat-revision-1") field(interview uuid)
 *               field(form id) field(form version) field(status)
 *               field(parent) field(parent2)
 *               then for each item, sorted by qid then path (bytewise,
 *               a prefix before its extensions): 'R' field(qid) field(path)
 *               field(value); then 'E'.
 * The content hash is the same with both parents NULL: it tells whether two
 * revisions hold the same content whatever their history. */
#ifndef KHAOSAT_REVISION_H
#define KHAOSAT_REVISION_H

#include <stddef.h>

#include <sodium.h>

#include "store/store.h"

/* Length of a revision id or hash in hex, without the NUL. */
#define REV_HEX 64

/* A running canonical serialisation, hashed as it is fed. */
typedef struct canon {
    crypto_hash_sha256_state h;
} canon;

/* Start an empty serialisation. */
void canon_init(canon *c);
/* Append one field of n bytes (s NULL: the NULL field). */
void canon_field(canon *c, const char *s, size_t n);
/* Append one NUL-terminated string field (NULL: the NULL field). */
void canon_str(canon *c, const char *s);
/* Append a one-byte marker ('R', 'E', 'T'). */
void canon_mark(canon *c, char m);
/* Finish: lowercase hex SHA-256 of everything appended. */
void canon_final(canon *c, char out[REV_HEX + 1]);

/* What a revision is made of besides its items. */
typedef struct rev_meta {
    const char *interview, *form_id, *form_version, *status;
    const char *parent, *parent2;
} rev_meta;

/* The two hashes of a revision being computed: id (with parents) and
 * content (without). */
typedef struct rev_hasher {
    canon id, content;
} rev_hasher;

/* Start hashing a revision. */
void rev_hash_begin(rev_hasher *h, const rev_meta *m);
/* Add one item; items must come in canonical order. */
void rev_hash_item(rev_hasher *h, const char *qid, const char *path,
                   const char *value);
/* Finish: the revision id and the content hash (either may be NULL). */
void rev_hash_end(rev_hasher *h, char id[REV_HEX + 1],
                  char content[REV_HEX + 1]);

/* Non-zero when a and b (either may be NULL) are in canonical item order:
 * negative, zero or positive as a sorts before, equal to or after b. */
int rev_item_cmp(const char *qid_a, const char *path_a, const char *qid_b,
                 const char *path_b);

/* Record the interview's current content as a new revision whose parent is
 * its head, unless (without force) the head already holds this content.
 * out (may be NULL) receives the head id afterwards.  One transaction. */
int store_rev_snapshot(store *st, const char *uuid, int force,
                       char out[REV_HEX + 1]);
/* store_rev_snapshot inside the caller's open transaction (store_begin):
 * a bundle export or a merge makes its snapshots in its own. */
int store_rev_snapshot_tx(store *st, const char *uuid, int force,
                          char out[REV_HEX + 1]);
/* Mark the interview exported at time into bundle (audited as 'export'
 * at time_ms with the bundle's UUID); inside an open transaction.  0, 1
 * when there is no such interview, or -1 (the store's message). */
int store_mark_exported_tx(store *st, const char *uuid, const char *time,
                           const char *time_ms, const char *bundle);
/* The head revision id of an interview, newly allocated (NULL when it has
 * none yet); returns 1 when there is no such interview. */
int store_rev_head(store *st, const char *uuid, char **out);

/* The digest of one audit row as recorded by device under number seq
 * (lowercase hex SHA-256 of its canonical fields): audit rows merged from
 * elsewhere are keyed by (device, seq, digest), so two different rows
 * claiming the same device and number are both kept. */
void store_audit_digest(const char *interview, const char *device,
                        long long seq, const char *time, const char *event,
                        const char *qid, const char *path,
                        const char *old_value, const char *new_value,
                        char out[REV_HEX + 1]);

/* One revision of an interview and its parents ("" for none). */
typedef struct rev_node {
    char id[REV_HEX + 1], parent[REV_HEX + 1], parent2[REV_HEX + 1];
} rev_node;

/* The revisions of interview uuid with their parents, sorted by id: 0
 * with *out (newly allocated, the caller frees it) and *n; 1 when it has
 * more than max revisions; -1 on failure (the store's message). */
int store_rev_graph(store *st, const char *uuid, size_t max, rev_node **out,
                    size_t *n);

#endif
