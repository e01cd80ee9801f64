/* store_locate.c: which database a command or screen opens, and why it
 * cannot.  A mistyped --db must never become a new empty database that
 * then reports "no conflicts": only the commands that start a database ask
 * for one to be created, and every other refusal says in words what is
 * wrong with the file and what to do. */
#include "config.h"
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"

char *store_nearest_dir(const char *path)
{
    char *dir = durable_dirname(path);
    struct stat sb;
    while (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        if (!strcmp(dir, "/") || !strcmp(dir, "."))
            break;
        char *up = durable_dirname(dir);
        free(dir);
        dir = up;
    }
    return dir;
}

/* "PATH: there is no database there (nearest folder ...)". */
static char *missing_msg(const char *path)
{
    char *near = store_nearest_dir(path);
    char *msg = xasprintf(_("%s: there is no database there (the nearest "
                            "folder that exists is %s); check the path "
                            "given with --db or KHAOSAT_DB"), path, near);
    free(near);
    return msg;
}

/* Non-zero when path has a -wal or -journal beside it that holds
 * something: an empty file is then a database whose first pages are
 * still there. */
static int has_journal(const char *path)
{
    static const char *const side[] = {"-wal", "-journal"};
    int found = 0;
    for (size_t i = 0; !found && i < sizeof side / sizeof *side; i++) {
        char *p = xasprintf("%s%s", path, side[i]);
        struct stat sb;
        found = stat(p, &sb) == 0 && sb.st_size > 0;
        free(p);
    }
    return found;
}

char *store_why_unreadable(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return missing_msg(path);
        return xasprintf(_("%s: cannot look at the database: %s"), path,
                         strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return xasprintf(_("%s is a folder, not a database; give the "
                           "database file itself with --db"), path);
    if (S_ISREG(sb.st_mode) && sb.st_size == 0 && !has_journal(path))
        /* SQLite takes an empty file for an empty database: a file made
         * by mistake (touch, a failed copy) would become an office. */
        return xasprintf(_("%s is an empty file (0 bytes), not a khaosat "
                           "database: give the right database with --db, "
                           "or remove the empty file first if a new "
                           "database is meant"), path);
    int fd = util_open_regular(path, O_RDONLY);
    if (fd < 0 && errno == UTIL_ENOTREG)
        return xasprintf(_("%s is not a database file (a pipe, a device or "
                           "a socket); give the database file itself with "
                           "--db"), path);
    if (fd < 0 && (errno == EACCES || errno == EPERM))
        return xasprintf(_("%s: permission denied: this user may not read "
                           "the database; run khaosat as the user who owns "
                           "it, or ask them to give access"), path);
    if (fd < 0)
        return xasprintf(_("%s: cannot read the database: %s"), path,
                         strerror(errno));
    close(fd);
    return NULL;
}

/* Why path, which exists, cannot be opened for writing; NULL when it can
 * (as far as the file system tells before SQLite tries). */
char *store_why_not_writable(const char *path)
{
    char *why = store_why_unreadable(path);
    return why ? why : store_why_read_only(path);
}

/* Non-zero when path has no write permission bit at all (0444, 0555):
 * whoever made it so meant it to be read only, and root, who may write
 * it anyway, reads it only too. */
static int no_write_bits(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && !(sb.st_mode & (S_IWUSR | S_IWGRP
                                                   | S_IWOTH));
}

/* Non-zero when this user may not make files in the folder dir (nor
 * should, its mode having no write bit). */
static int dir_read_only(const char *dir)
{
    return (access(dir, W_OK | X_OK) != 0
            && (errno == EACCES || errno == EROFS)) || no_write_bits(dir);
}

char *store_why_read_only(const char *path)
{
    int fd = no_write_bits(path) ? (errno = EACCES, -1)
                                 : open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
    } else if (errno == EACCES || errno == EPERM || errno == EROFS) {
        if (errno == EROFS)
            return xasprintf(_("%s is on a read-only disk or stick; khaosat "
                               "must write to its database: copy it to the "
                               "laptop first"), path);
        return xasprintf(_("%s is read-only; khaosat must write to its "
                           "database: make it writable (chmod u+w) or copy "
                           "it to a folder of yours"), path);
    }
    return store_why_dir_readonly(path);
}

char *store_why_dir_readonly(const char *path)
{
    /* SQLite keeps its journal (-wal, -shm) beside the database. */
    char *dir = durable_dirname(path);
    char *msg = NULL;
    if (dir_read_only(dir))
        msg = xasprintf(_("%s: the folder %s is read-only, and khaosat keeps "
                          "its journal beside the database: copy the "
                          "database to a folder you can write"), path, dir);
    free(dir);
    return msg;
}

/* Non-zero when the -wal or -shm beside path exists (a -wal only when it
 * holds something). */
static int side_file(const char *path, const char *suffix)
{
    char *p = xasprintf("%s%s", path, suffix);
    struct stat sb;
    int found = stat(p, &sb) == 0 && (sb.st_size > 0 || suffix[1] == 's');
    free(p);
    return found;
}

/* The URI of path with query ("immutable=1"), newly allocated. */
static char *store_uri(const char *path, const char *query)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_add(&b, "file:");
    /* "file://x" would name a host. */
    while (path[0] == '/' && path[1] == '/')
        path++;
    for (const char *p = path; *p; p++)
        if (*p == '%' || *p == '?' || *p == '#')
            sbuf_addf(&b, "%%%02X", (unsigned char)*p);
        else
            sbuf_addc(&b, *p);
    sbuf_addf(&b, "?%s", query);
    return b.s;
}

char *store_immutable_uri(const char *path)
{
    return store_uri(path, "immutable=1");
}

/* Why a database this user may not write cannot be read while its -wal
 * is beside it. */
static char *in_use_msg(const char *path)
{
    struct statvfs vfs;
    if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
        /* No one can write there: not even its owner can fold the log. */
        return xasprintf(_("%s: its write-ahead log (%s-wal) is beside it "
                           "on a read-only disk or stick, where the log "
                           "cannot be read with it: copy the database with "
                           "its -wal file (and -shm, if there is one) to a "
                           "writable place and open it there"), path, path);
    return xasprintf(_("%s: its write-ahead log (%s-wal) is beside it and "
                       "this user may not write the database, so the log "
                       "cannot be read with it: another program has the "
                       "database open, or khaosat stopped there without "
                       "closing it (a crash or a power cut).  Let that "
                       "program finish, or have the database's owner run "
                       "khaosat list --db on it once (which puts the log "
                       "back into the database), then run this again; or "
                       "copy the database with its -wal and -shm files to a "
                       "folder of yours"), path, path);
}

int store_sqlite_open_ro(const char *path, sqlite3 **out, char **err)
{
    *out = NULL;
    char *dir = durable_dirname(path);
    int ro = access(path, W_OK) != 0 || access(dir, W_OK | X_OK) != 0
             || no_write_bits(path) || no_write_bits(dir);
    free(dir);
    int wal = ro && side_file(path, "-wal");
    if (wal && !side_file(path, "-shm")) {
        *err = in_use_msg(path);
        return -1;
    }
    /* Nothing to bring in from a log: the file is the whole database,
     * read as it is, with no -wal, -shm or lock written beside it (a
     * writable database is read as SQLite always does, beside whoever
     * writes it). */
    /* Through a log: its -shm is only read, also by root (who could
     * write it, but not a file made read only). */
    char *uri = !ro ? NULL : wal ? store_uri(path, "readonly_shm=1")
                                 : store_immutable_uri(path);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(uri ? uri : path, &db, SQLITE_OPEN_READONLY
                             | (uri ? SQLITE_OPEN_URI : 0), NULL);
    free(uri);
    if (rc == SQLITE_OK && wal)
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL,
                          NULL, NULL);
    if (rc != SQLITE_OK) {
        *err = wal ? in_use_msg(path)
                   : xasprintf(_("%s: cannot open: %s"), path,
                               db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

/* Why the database at path, which this user may read, may not be
 * written: a STORE_RO_ kind. */
static int read_only_kind(const char *path)
{
    int fd = no_write_bits(path) ? (errno = EACCES, -1)
                                 : open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return STORE_RO_FOLDER;
    }
    return errno == EROFS ? STORE_RO_DISK : STORE_RO_FILE;
}

/* The words every refused change of st says, in the language of the
 * moment (newly allocated). */
static char *read_only_msg(const store *st)
{
    char *why;
    if (st->read_only == STORE_RO_FOLDER) {
        char *dir = durable_dirname(st->path);
        why = xasprintf(_("its folder %s may not be written"), dir);
        free(dir);
    } else if (st->read_only == STORE_RO_DISK) {
        why = xasprintf(_("%s is on a read-only disk or stick"), st->path);
    } else {
        why = xasprintf(_("%s may only be read by this user"), st->path);
    }
    char *msg = xasprintf(_("this database is read-only: %s; copy it to a "
                            "writable place to change it"), why);
    free(why);
    return msg;
}

const char *store_read_only(const store *st)
{
    if (!st->read_only)
        return NULL;
    /* The screens open the database before its language setting is read,
     * and F1 L changes it: worded anew when the language has changed. */
    char *msg = read_only_msg(st);
    store *m = (store *)st;     /* a cache of wordings, not the store */
    if (m->ro_n && !strcmp(m->ro_msgs[m->ro_n - 1], msg)) {
        free(msg);
        return m->ro_msgs[m->ro_n - 1];
    }
    m->ro_msgs = util_grow(m->ro_msgs, &m->ro_cap, m->ro_n + 1,
                           sizeof *m->ro_msgs);
    m->ro_msgs[m->ro_n++] = msg;
    return msg;
}

int store_open_at(const char *db_opt, enum store_missing how, store **out,
                  int *created, char **errmsg)
{
    *out = NULL;
    *created = 0;
    *errmsg = NULL;
    char *path = NULL;
    if (db_opt && *db_opt) {
        path = xstrdup(db_opt);
    } else if (store_default_path(&path) != 0) {
        *errmsg = xstrdup(_("cannot find a place for the database ($HOME is "
                            "not set); give one with --db PATH"));
        return -1;
    }
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (!exists && errno != ENOENT && errno != ENOTDIR) {
        *errmsg = xasprintf(_("%s: cannot look at the database: %s"), path,
                            strerror(errno));
        free(path);
        return -1;
    }
    int creates = how == STORE_CREATE_MISSING || how == STORE_CREATE_OR_READ;
    if (!exists && !creates) {
        *errmsg = missing_msg(path);
        free(path);
        return -1;
    }
    if (!exists) {
        int rc = store_mkdirs_for(path);
        if (rc) {
            *errmsg = xasprintf(_("%s: cannot create its folder: %s"), path,
                                strerror(-rc));
            free(path);
            return -1;
        }
    } else if ((*errmsg = store_why_not_writable(path)) != NULL) {
        /* Only a regular file this user may read but not write: never a
         * pipe or a device (opening one would hang or harm). */
        char *why_ro = NULL;
        if ((how == STORE_READ_ONLY_OK || how == STORE_CREATE_OR_READ)
            && S_ISREG(sb.st_mode) && access(path, R_OK) == 0
            && (why_ro = store_why_read_only(path)) != NULL) {
            free(why_ro);
            free(*errmsg);
            *errmsg = NULL;
            sqlite3 *db = NULL;
            int rc = store_schema_open_ro(path, &db, errmsg);
            if (rc == 0) {
                store *st = xcalloc(1, sizeof *st);
                st->db = db;
                st->path = path;
                st->read_only = read_only_kind(path);
                *out = st;
                return 0;
            }
        }
        free(path);
        return -1;
    } else {
        /* A killed backup or restore leaves a whole copy of a database
         * beside it: gone at the next open (live ones are locked). */
        char *dir = durable_dirname(path);
        durable_sweep(dir);
        free(dir);
    }
    int rc = store_open_mode(path, !exists, out, errmsg);
    if (rc == 0 && !exists) {
        /* The new name must outlive a power cut like the data inside. */
        char *dir = durable_dirname(path);
        if (durable_sync_dir(dir, errmsg) != 0) {
            store_close(*out);
            *out = NULL;
            rc = -1;
        }
        free(dir);
        *created = rc == 0;
    }
    free(path);
    return rc;
}

int store_close_and_remove(store *st, char **err)
{
    char *path = xstrdup(store_path(st));
    store_close(st);
    int rc = 0;
    static const char *const side[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
        char *p = xasprintf("%s%s", path, side[i]);
        if (unlink(p) != 0 && errno != ENOENT && rc == 0) {
            *err = xasprintf(_("%s: cannot remove it: %s"), p,
                             strerror(errno));
            rc = -1;
        }
        free(p);
    }
    free(path);
    return rc;
}

int store_header_is_database(const unsigned char *head, size_t n)
{
    static const char magic[16] = "SQLite format 3";
    if (n < 72 || memcmp(head, magic, sizeof magic) != 0)
        return 0;
    /* SQLite's header keeps PRAGMA application_id at offset 68. */
    unsigned long app = (unsigned long)head[68] << 24
        | (unsigned long)head[69] << 16 | (unsigned long)head[70] << 8
        | head[71];
    return app == STORE_APP_ID;
}
