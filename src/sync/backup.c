/* backup.c: khaosat backup and khaosat restore (the layout is in
 * backup.h).  Every step that can fail says which file and why; nothing
 * is reported written before it was synced, read back and checked. */
#include "config.h"
#include "sync/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"
#include "sync/bundle_int.h"
#include "sync/envelope.h"

#define BACKUP_MAGIC "khaosat backup 1\n"
#define HEAD_MAX 1024
/* Keys inside a backup: a key backup is a few kilobytes. */
#define KEYS_MAX (16LL << 20)

/* The header text of info. */
static char *head_text(const backup_info *info)
{
    return xasprintf(BACKUP_MAGIC "made: %s\ndatabase: %s\ninterviews: %ld\n"
                     "digest: %s\nbody: %s\nbody-sha256: %s\nkeys: %lld\n\n",
                     info->made, *info->database ? info->database : "-",
                     info->interviews, info->digest,
                     info->sealed ? "sealed" : "plain", info->body_sha256,
                     info->keys_len);
}

/* Parse the header at the start of data (len bytes): 0 with *hlen, -1
 * when this is not a backup (or a damaged one). */
static int parse_head(const char *data, size_t len, backup_info *info,
                      size_t *hlen)
{
    memset(info, 0, sizeof *info);
    size_t m = strlen(BACKUP_MAGIC);
    if (len < m || memcmp(data, BACKUP_MAGIC, m) != 0)
        return -1;
    const char *p = data + m, *end = data + len;
    char v[7][80];
    static const char *const key[7] = {"made", "database", "interviews",
                                       "digest", "body", "body-sha256",
                                       "keys"};
    for (int i = 0; i < 7; i++)
        if (util_kv_line(&p, end, key[i], v[i], sizeof v[i]) != 0)
            return -1;
    if (p >= end || *p != '\n')
        return -1;
    *hlen = (size_t)(p + 1 - data);
    long long n = util_parse_decimal15(v[2]);
    info->keys_len = util_parse_decimal15(v[6]);
    info->sealed = !strcmp(v[4], "sealed");
    if (n < 0 || info->keys_len < 0 || info->keys_len > KEYS_MAX
        || strlen(v[0]) >= sizeof info->made || strlen(v[3]) != 64
        || strspn(v[3], "0123456789abcdef") != 64
        || strlen(v[5]) != 64 || strspn(v[5], "0123456789abcdef") != 64
        || (!info->sealed && strcmp(v[4], "plain") != 0)
        || (strcmp(v[1], "-") != 0
            && keys_fpr_parse(v[1], info->database) != 0)
        || (info->sealed && !*info->database))
        return -1;
    info->interviews = (long)n;
    memcpy(info->made, v[0], strlen(v[0]) + 1);
    memcpy(info->digest, v[3], 65);
    memcpy(info->body_sha256, v[5], 65);
    return 0;
}

/* An open backup file: descriptor, size, header. */
typedef struct bfile {
    int fd;
    long long size;
    size_t hlen;
    backup_info info;
} bfile;

/* Open and parse the backup at path; *why (no file name) on failure. */
static int bfile_open(const char *path, bfile *b, char **why)
{
    memset(b, 0, sizeof *b);
    if (bundle_file_open(path, &b->fd, &b->size, why) != 0)
        return -1;
    char head[HEAD_MAX];
    size_t n = b->size < HEAD_MAX ? (size_t)b->size : HEAD_MAX;
    if (bundle_file_read(b->fd, 0, head, n, why) != 0
        || (parse_head(head, n, &b->info, &b->hlen) != 0
            && (*why = xstrdup(store_header_is_database(
                                   (const unsigned char *)head, n)
                               ? _("a khaosat database, not a backup: make "
                                   "a backup of it with 'khaosat backup --db "
                                   "FILE --to BACKUP'")
                               : _("not a khaosat backup, or a damaged "
                                   "one"))))) {
        close(b->fd);
        return -1;
    }
    b->info.body_len = b->size - (long long)b->hlen - b->info.keys_len;
    if (b->info.body_len <= 0) {
        *why = xstrdup(_("cut short: the database is missing"));
        close(b->fd);
        return -1;
    }
    return 0;
}

/* SHA-256 (hex) of n bytes of fd from offset off, read in pieces. */
static int body_sha256(int fd, long long off, long long n, char out[65],
                       char **why)
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char *buf = xmalloc(1 << 20);
    int rc = 0;
    for (long long done = 0; rc == 0 && done < n;) {
        size_t k = n - done < (1 << 20) ? (size_t)(n - done) : (1 << 20);
        rc = bundle_file_read(fd, off + done, buf, k, why);
        crypto_hash_sha256_update(&h, buf, k);
        done += (long long)k;
    }
    free(buf);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
    return rc;
}

/* The keys inside b, newly allocated (NUL-terminated). */
static char *bfile_keys(const bfile *b, char **why)
{
    char *k = xmalloc((size_t)b->info.keys_len + 1);
    if (bundle_file_read(b->fd, (long long)b->hlen, k,
                         (size_t)b->info.keys_len, why) != 0) {
        free(k);
        return NULL;
    }
    k[b->info.keys_len] = '\0';
    return k;
}

/* The database inside b (sqlite3_malloc64'd, *len bytes), opened with
 * self when sealed, then checked against the header's digest. */
static unsigned char *bfile_body(const char *path, const bfile *b,
                                 const keys_self *self, size_t *len,
                                 char **why)
{
    long long base = (long long)b->hlen + b->info.keys_len;
    char sum[65];
    if (body_sha256(b->fd, base, b->info.body_len, sum, why) != 0)
        return NULL;
    if (strcmp(sum, b->info.body_sha256) != 0) {
        *why = xstrdup(_("altered or damaged after it was written (its "
                         "checksum differs)"));
        return NULL;
    }
    unsigned char *d = NULL;
    if (b->info.sealed) {
        envelope_header h;
        if (envelope_unseal_fd(b->fd, base, b->info.body_len, self,
                               self->card.sign_pk, &d, &h, why) != 0)
            return NULL;
        *len = (size_t)h.size;
    } else {
        *len = (size_t)b->info.body_len;
        d = sqlite3_malloc64((sqlite3_uint64)*len);
        if (!d) {
            *why = xstrdup(_("too large to read into memory"));
            return NULL;
        }
        if (bundle_file_read(b->fd, base, d, *len, why) != 0) {
            sqlite3_free(d);
            return NULL;
        }
    }
    char digest[65], *err = NULL;
    long count = -1;
    if (store_check_image(_("the database inside"), d, *len, digest, &count,
                          &err) != 0
        || strcmp(digest, b->info.digest) != 0
        || (count != b->info.interviews
            && (err = xasprintf(_("damaged or altered: its header says %ld "
                                  "interviews, the database inside holds "
                                  "%ld"), b->info.interviews, count)))) {
        *why = err ? err : xstrdup(_("the database inside does not hold "
                                     "what was backed up (its content "
                                     "digest differs)"));
        sodium_memzero(d, *len);
        sqlite3_free(d);
        return NULL;
    }
    return d;
}

/* A snapshot of st read into memory (malloc'd, *len bytes), through a
 * temporary beside the database: the data is already plain there.  A
 * read-only database's folder is not written: it is copied in memory. */
static unsigned char *snapshot(store *st, size_t *len, char digest[65],
                               char **err)
{
    if (store_read_only(st))
        return store_snapshot_memory(st, len, digest, err);
    char *dir = durable_dirname(store_path(st));
    durable *d = durable_begin(dir, 0600, err);
    free(dir);
    if (!d)
        return NULL;
    unsigned char *data = NULL;
    if (store_snapshot(st, durable_tmp_path(d), digest, err) == 0) {
        data = (unsigned char *)util_read_file(durable_tmp_path(d), len);
        if (!data)
            *err = xasprintf("%s: %s", durable_tmp_path(d), strerror(errno));
    }
    durable_abort(d);
    return data;
}

/* Write the backup file's bytes into f. */
static int write_body(FILE *f, const backup_info *info, const char *keys,
                      const keys_self *self, const unsigned char *data,
                      size_t len, char **err)
{
    char *head = head_text(info);
    int bad = fputs(head, f) == EOF
        || (info->keys_len
            && fwrite(keys, 1, (size_t)info->keys_len, f)
               != (size_t)info->keys_len);
    free(head);
    if (!bad && info->sealed) {
        char id[37];
        store_uuid_v4(id);
        return envelope_seal_stream(self, &self->card, id, info->interviews,
                                    data, len, f, err);
    }
    if (bad || fwrite(data, 1, len, f) != len || fflush(f) != 0) {
        *err = durable_write_why(errno);
        return -1;
    }
    return 0;
}

/* Write the file durably at path.  The header's body checksum is known
 * only once the body is written: the header goes first with a blank one,
 * the same length, and is written again at the end. */
static int write_file(const char *path, backup_info *info, const char *keys,
                      const keys_self *self, const unsigned char *data,
                      size_t len, char **err)
{
    char *dir = durable_dirname(path);
    durable *d = durable_begin(dir, 0600, err);
    free(dir);
    if (!d)
        return -1;
    memset(info->body_sha256, '0', 64);
    info->body_sha256[64] = '\0';
    int fd = dup(durable_fd(d));
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    char *why = NULL;
    int rc = f ? write_body(f, info, keys, self, data, len, &why) : -1;
    if (!f) {
        why = xstrdup(strerror(errno));
        if (fd >= 0)
            close(fd);
    } else if (fclose(f) != 0 && rc == 0) {
        why = durable_write_why(errno);
        rc = -1;
    }
    char *head = head_text(info);
    long long base = (long long)strlen(head) + info->keys_len;
    struct stat sb;
    if (rc == 0 && fstat(durable_fd(d), &sb) != 0) {
        why = xstrdup(strerror(errno));
        rc = -1;
    }
    if (rc == 0)
        rc = body_sha256(durable_fd(d), base, (long long)sb.st_size - base,
                         info->body_sha256, &why);
    free(head);
    head = head_text(info);
    if (rc == 0 && pwrite(durable_fd(d), head, strlen(head), 0)
                   != (ssize_t)strlen(head)) {
        why = durable_write_why(errno);
        rc = -1;
    }
    free(head);
    if (rc != 0) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
        durable_abort(d);
        return -1;
    }
    return durable_commit(d, path, DURABLE_REPLACE_BACKUP, err);
}

/* Read the written file back and check it holds the same content. */
static int verify_written(const char *path, const keys_self *self,
                          const char *digest, char **err)
{
    bfile b;
    char *why = NULL;
    int rc = bfile_open(path, &b, &why);
    if (rc == 0 && strcmp(b.info.digest, digest) != 0)
        why = xstrdup(_("reads back with another digest"));
    size_t len = 0;
    unsigned char *d = rc == 0 && !why ? bfile_body(path, &b, self, &len,
                                                    &why) : NULL;
    if (rc == 0)
        close(b.fd);
    if (d) {
        sodium_memzero(d, len);
        sqlite3_free(d);
    }
    if (why) {
        *err = xasprintf(_("%s: written, but does not read back: %s"), path,
                         why);
        free(why);
        return -1;
    }
    return 0;
}

/* Remove what a killed backup or restore left in the folder of file (its
 * temporaries hold a whole copy of a database). */
static void sweep_beside(const char *file)
{
    char *dir = durable_dirname(file);
    durable_sweep(dir);
    free(dir);
}

/* 0 when a backup may be written at path: not a name SQLite gives the
 * side files of a database (it removes them when it opens that database),
 * and nothing there but an older data backup. */
static int check_backup_target(const char *path, char **err)
{
    static const char *const side[] = {"-wal", "-journal", "-shm"};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
        size_t k = strlen(side[i]);
        if (n > k && !strcmp(path + n - k, side[i])) {
            *err = xasprintf(_("%s: a name ending in %s is the name SQLite "
                               "gives a database's side file, which it "
                               "removes: give another name"), path, side[i]);
            return -1;
        }
    }
    return durable_check_backup(path, err);
}

int backup_write(store *st, const char *path, const char *passphrase,
                 backup_info *info, char **err)
{
    memset(info, 0, sizeof *info);
    if (check_backup_target(path, err) != 0)
        return -1;
    sweep_beside(store_path(st));
    sweep_beside(path);
    keys_self self;
    memset(&self, 0, sizeof self);
    int rc = keys_self_get(st, 0, &self, err);
    if (rc < 0)
        return -1;
    info->sealed = rc == 0;
    if (info->sealed)
        memcpy(info->database, self.card.fpr, KEYS_FPR_SIZE);
    char *keys = NULL;
    size_t klen = 0, len = 0;
    unsigned char *data = NULL;
    rc = -1;
    if (passphrase && info->sealed
        && keys_backup_text(st, passphrase, &keys, &klen, err) != 0)
        goto out;
    info->keys_len = (long long)klen;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(info->made, sizeof info->made, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!(data = snapshot(st, &len, info->digest, err))) {
        char *why = *err;
        *err = xasprintf(_("%s: not written: %s"), path, why);
        free(why);
        goto out;
    }
    char check[65];
    /* Counted in the copy: a merge may add interviews meanwhile. */
    if (store_check_image(store_path(st), data, len, check,
                          &info->interviews, err) != 0)
        goto out;
    if (strcmp(check, info->digest) != 0) {
        *err = xasprintf(_("%s: the copy differs from the database; nothing "
                           "written"), store_path(st));
        goto out;
    }
    if (write_file(path, info, keys, &self, data, len, err) == 0
        && verify_written(path, &self, info->digest, err) == 0)
        rc = 0;
    info->body_len = (long long)len;
out:
    if (data) {
        sodium_memzero(data, len);
        free(data);
    }
    free(keys);
    keys_self_clear(&self);
    return rc;
}

int backup_read_info(const char *path, backup_info *info, char **err)
{
    bfile b;
    char *why = NULL;
    if (bfile_open(path, &b, &why) != 0) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
        return -1;
    }
    close(b.fd);
    *info = b.info;
    return 0;
}

/* Non-zero when st's own keys are those a sealed b is sealed for: keys
 * restored first ('khaosat keys restore') to open the backup are not data
 * the restore loses. */
static int holds_backup_keys(store *st, const bfile *b)
{
    keys_self self;
    char *why = NULL;
    if (!b->info.sealed || keys_self_get(st, 0, &self, &why) != 0) {
        free(why);
        return 0;
    }
    int same = !strcmp(self.card.fpr, b->info.database);
    keys_self_clear(&self);
    return same;
}

/* Whether the database at target may be replaced: *st is left open when
 * it opens; a damaged one, or one holding any data, is replaced only with
 * replace. */
static int check_target(const char *target, int replace, const bfile *b,
                        store **st, char **err)
{
    int created;
    char *why = NULL;
    if (store_open_at(target, STORE_REFUSE_MISSING, st, &created, &why)) {
        if (replace) {
            free(why);
            return 0;
        }
        *err = xasprintf(_("%s; restoring over it needs --replace (what is "
                           "there is then kept beside it)"), why);
        free(why);
        return -1;
    }
    if (replace)
        return 0;
    long n = 0;
    char *latest = NULL, *msg = NULL;
    if (store_data_summary(*st, &n, &latest) != 0) {
        *err = xstrdup(store_errmsg(*st));
        return -1;
    }
    char *held = store_data_held(*st, holds_backup_keys(*st, b));
    int newer = latest && strcmp(latest, b->info.made) > 0;
    if (newer)
        msg = xasprintf(_("%s holds %ld interviews, changed as late as %s, "
                           "after this backup was made (%s): restoring would "
                           "lose that work; use --replace if that is meant "
                           "(what is there is then kept beside it)"),
                         target, n, latest, b->info.made);
    else if (n > 0)
        msg = xasprintf(_("%s already holds %ld interviews: restoring "
                           "would replace them with the backup's; use "
                           "--replace if that is meant (what is there is "
                           "then kept beside it)"), target, n);
    else if (held)
        msg = xasprintf(_("%s holds no interview but holds %s: restoring "
                           "would replace them with the backup's; use "
                           "--replace if that is meant (what is there is "
                           "then kept beside it)"), target, held);
    free(latest);
    free(held);
    if (!msg)
        return 0;
    *err = msg;
    return -1;
}

/* The keys that open a sealed backup: the target database's own, else
 * those inside the backup under the passphrase ask gives. */
static int opening_keys(const char *path, const bfile *b, store *st,
                        backup_ask_fn ask, void *ctx, keys_self *self,
                        char **err)
{
    char *why = NULL;
    if (st && keys_self_get(st, 0, self, &why) == 0) {
        if (!strcmp(self->card.fpr, b->info.database))
            return 0;
        keys_self_clear(self);
    }
    free(why);
    why = NULL;
    if (b->info.keys_len == 0) {
        *err = xasprintf(_("%s: sealed for the database %s, whose keys are "
                           "neither here nor in the backup (it was made "
                           "without --with-keys): restore those keys first "
                           "with 'khaosat keys restore'"), path,
                         b->info.database);
        return -1;
    }
    char *keys = bfile_keys(b, &why);
    char *pass = keys && ask ? ask(ctx) : NULL;
    int rc = -1;
    if (!keys)
        *err = xasprintf("%s: %s", path, why);
    else if (!pass)
        *err = xasprintf(_("%s: the keys inside need their passphrase"),
                         path);
    else
        rc = keys_backup_identity(path, keys, (size_t)b->info.keys_len, pass,
                                  self, err);
    if (pass) {
        sodium_memzero(pass, strlen(pass));
        free(pass);
    }
    free(keys);
    free(why);
    return rc;
}

/* A copy of the file from at the new name to (no hard links on this
 * disk, a FAT stick). */
static int copy_file(const char *from, const char *to, char **err)
{
    size_t len = 0;
    char *data = util_read_file(from, &len);
    if (!data) {
        *err = xasprintf("%s: %s", from, strerror(errno));
        return -1;
    }
    int rc = durable_write_file(to, data, len, 0600, DURABLE_NEW, err);
    sodium_memzero(data, len);
    free(data);
    return rc;
}

/* Keep the database at target, with the -wal or -journal that belongs to
 * it, under a new name beside it before a restore replaces it: a hard link
 * (instant, whatever its size), else a copy.  *kept newly allocated. */
static int keep_replaced(const char *target, char **kept, char **err)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *name = NULL;
    for (int i = 1; i < 100; i++) {
        name = i == 1 ? xasprintf("%s.before-restore-%s", target, stamp)
                      : xasprintf("%s.before-restore-%s-%d", target, stamp, i);
        if (link(target, name) == 0)
            break;
        char *why = NULL;
        if (errno != EEXIST && copy_file(target, name, &why) == 0)
            break;
        if (why && access(name, F_OK) != 0) {
            *err = why;
            free(name);
            return -1;
        }
        free(why);
        free(name);
        name = NULL;
    }
    if (!name) {
        *err = xasprintf(_("%s: no free name to keep it under"), target);
        return -1;
    }
    static const char *const side[] = {"-wal", "-journal"};
    for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
        char *from = xasprintf("%s%s", target, side[i]);
        char *to = xasprintf("%s%s", name, side[i]);
        if (rename(from, to) != 0 && errno != ENOENT) {
            *err = xasprintf(_("%s: cannot keep it as %s: %s"), from, to,
                             strerror(errno));
            free(from);
            free(to);
            free(name);
            return -1;
        }
        free(from);
        free(to);
    }
    char *dir = durable_dirname(target);
    int rc = durable_sync_dir(dir, err);
    free(dir);
    if (rc != 0) {
        free(name);
        return -1;
    }
    *kept = name;
    return 0;
}

/* Write data as the database at target, replacing st's file (and keeping
 * it, *kept, when there is one: exists). */
static int replace_db(const char *target, int exists,
                      const unsigned char *data, size_t len,
                      const char *digest, store *st, char **kept, char **err)
{
    int rc = store_mkdirs_for(target);
    if (rc) {
        *err = xasprintf(_("%s: cannot create its folder: %s"), target,
                         strerror(-rc));
        store_close(st);
        return -1;
    }
    char *dir = durable_dirname(target);
    durable *d = durable_begin(dir, 0600, err);
    free(dir);
    char check[65];
    if (d && durable_write(d, data, len, err) != 0) {
        /* The hidden temporary means nothing to the user: the database
         * being restored does. */
        char *why = durable_write_why(errno);
        free(*err);
        *err = xasprintf(_("%s: not restored: %s"), target, why);
        free(why);
        durable_abort(d);
        store_close(st);
        return -1;
    }
    if (!d || fsync(durable_fd(d)) != 0
        || store_check_file(durable_tmp_path(d), check, err) != 0
        || (strcmp(check, digest) != 0
            && (*err = xasprintf(_("%s: the restored copy differs from the "
                                   "backup"), durable_tmp_path(d))))) {
        durable_abort(d);
        store_close(st);
        return -1;
    }
    if (st && store_close_for_replace(st, err) != 0) {
        durable_abort(d);
        return -1;
    }
    if (exists && keep_replaced(target, kept, err) != 0) {
        durable_abort(d);
        return -1;
    }
    /* SQLite's shared memory index belongs to the old file. */
    char *shm = xasprintf("%s-shm", target);
    unlink(shm);
    free(shm);
    return durable_commit(d, target, DURABLE_REPLACE_DATABASE, err);
}

/* The database a restore writes: db_opt or the default, a symbolic link
 * resolved to the file it names (replacing the link itself would leave
 * that file as it was).  NULL with *err. */
static char *restore_target(const char *db_opt, char **err)
{
    char *target = NULL;
    if (db_opt && *db_opt)
        target = xstrdup(db_opt);
    else if (store_default_path(&target) != 0) {
        *err = xstrdup(_("cannot find a place for the database ($HOME is "
                         "not set); give one with --db PATH"));
        return NULL;
    }
    struct stat sb;
    if (lstat(target, &sb) != 0 || !S_ISLNK(sb.st_mode))
        return target;
    char *real = realpath(target, NULL);
    if (!real)
        *err = xasprintf(_("%s is a symbolic link to a file that cannot be "
                           "reached (%s); give the database file itself with "
                           "--db"), target, strerror(errno));
    free(target);
    return real;
}

int backup_restore(const char *path, const char *db_opt, int replace,
                   backup_ask_fn ask, void *ctx, backup_info *info,
                   backup_restored *out, char **err)
{
    memset(out, 0, sizeof *out);
    bfile b;
    char *why = NULL;
    if (bfile_open(path, &b, &why) != 0) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
        return -1;
    }
    *info = b.info;
    char *target = restore_target(db_opt, err);
    struct stat sb;
    int exists = target && stat(target, &sb) == 0;
    store *st = NULL;
    keys_self self;
    memset(&self, 0, sizeof self);
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = -1;
    if (target)
        sweep_beside(target);
    if (!target)
        ;
    else if (exists && !S_ISREG(sb.st_mode))
        *err = xasprintf(_("%s is not a database file (a folder, a pipe or "
                           "a device); give the database file with --db"),
                         target);
    /* Refused as every other command refuses it, --replace or not: the
     * user made it read-only. */
    else if (exists && (*err = store_why_not_writable(target)) != NULL)
        ;
    else if (exists && check_target(target, replace, &b, &st, err) != 0)
        ;
    else if (b.info.sealed
             && opening_keys(path, &b, st, ask, ctx, &self, err) != 0)
        ;
    else if (!(data = bfile_body(path, &b, &self, &len, &why)))
        *err = xasprintf("%s: %s", path, why);
    else {
        rc = replace_db(target, exists, data, len, b.info.digest, st,
                        &out->kept, err);
        st = NULL;
        out->created = rc == 0 && !exists;
    }
    store_close(st);
    if (data) {
        sodium_memzero(data, len);
        sqlite3_free(data);
    }
    close(b.fd);
    keys_self_clear(&self);
    free(why);
    if (rc == 0)
        out->target = target;
    else
        free(target);
    return rc;
}

void backup_restored_clear(backup_restored *r)
{
    free(r->target);
    free(r->kept);
    r->target = r->kept = NULL;
}

char *backup_keys_advice(const backup_info *info)
{
    if (!info->sealed)
        return xstrdup(_("It is not sealed (this database has no keys): "
                         "keep it as safe as the laptop."));
    if (info->keys_len)
        return xasprintf(_("It is sealed for this database's key %s, with "
                           "its keys inside under the passphrase: keep the "
                           "passphrase apart from the file."), info->database);
    return xasprintf(_("It is sealed for this database's key %s and does "
                       "not hold the keys: restoring it needs this "
                       "database's keys. Keep them with 'khaosat keys backup "
                       "--to FILE' (apart from this file), or back up with "
                       "--with-keys."), info->database);
}
