/* backup.h: data backups of a khaosat database (khaosat backup/restore).
 *
 * A backup file is a short text header, then (with --with-keys) the
 * database's keys exactly as `khaosat keys backup` writes them (under a
 * passphrase), then the database itself: sealed for the database's own
 * key when it has one (the sealed bundle layout of khaosat-bundle(5)),
 * plain otherwise.
 *
 *   khaosat backup 1
 *   made: 2026-12-01T03:00:00Z
 *   database: K7QM-3XTA-9PZD-RW4E      ("-" when it has no keys)
 *   interviews: 120
 *   digest: HEX                         (content digest, store_snapshot)
 *   body: sealed|plain
 *   body-sha256: HEX                    (of the bytes after the keys)
 *   keys: BYTES                         (0 without --with-keys)
 *   (blank line)
 *
 * The copy is taken while the database is in use and is consistent; the
 * file is written durably and then read back, opened and checked before
 * the backup is reported done.  A restore checks the content again against
 * the digest before the database is replaced. */
#ifndef KHAOSAT_BACKUP_H
#define KHAOSAT_BACKUP_H

#include "store/store.h"
#include "sync/keys.h"

/* What a backup file holds, from its header. */
typedef struct backup_info {
    char made[32];
    char database[KEYS_FPR_SIZE];     /* "" when the database has no keys */
    long interviews;
    char digest[65];
    int sealed;
    char body_sha256[65];             /* of the bytes after the keys */
    long long keys_len;               /* 0: no keys inside */
    long long body_len;
} backup_info;

/* Asks the user for the passphrase of the keys inside a backup; returns a
 * newly allocated string (the caller of backup_restore wipes and frees it)
 * or NULL to give up. */
typedef char *(*backup_ask_fn)(void *ctx);

/* Back st up into the file path (replaced when it exists).  passphrase:
 * NULL for no keys inside, else the keys go in under it (when st has
 * keys).  *info describes what was written. */
int backup_write(store *st, const char *path, const char *passphrase,
                 backup_info *info, char **err);

/* Read the header of a backup file. */
int backup_read_info(const char *path, backup_info *info, char **err);

/* What a restore did. */
typedef struct backup_restored {
    char *target;       /* the database written (a link given is resolved) */
    char *kept;         /* where what was replaced is kept, or NULL */
    int created;        /* the database did not exist before */
} backup_restored;

/* Restore the backup file into the database db_opt names (NULL: the
 * default one), creating it when missing.  A database holding any data
 * (interviews, keys, trusted cards, set-up...) is replaced only with
 * replace set, and then kept beside it first (*out.kept).  A sealed backup
 * is opened with the keys of that database, else with the keys inside,
 * whose passphrase ask is called for.  *info describes the backup; *out's
 * strings are newly allocated (backup_restored_clear). */
int backup_restore(const char *path, const char *db_opt, int replace,
                   backup_ask_fn ask, void *ctx, backup_info *info,
                   backup_restored *out, char **err);
/* Free the strings of a restore's outcome. */
void backup_restored_clear(backup_restored *r);

/* What to tell the user after a backup described by info: whether it is
 * sealed, and for a sealed one without its keys inside, that restoring it
 * needs this database's keys and how to keep them.  Newly allocated. */
char *backup_keys_advice(const backup_info *info);

#endif
