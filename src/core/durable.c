/* durable.c: write to a temporary, fsync, rename, fsync the directory. */
#include "config.h"
#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_PREFIX ".khaosat-"
#define TMP_SUFFIX ".tmp"

struct durable {
    int fd;
    char *tmp;
    char *dir;
};

char *durable_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* fsync path opened with flags; EINVAL (cannot sync this kind of file
 * here, as on some USB file systems for directories) is not an error. */
static int sync_path(const char *path, int flags, char **err)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL)) {
        *err = xasprintf("%s: cannot sync to the disk: %s", path,
                         strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int durable_sync_dir(const char *dir, char **err)
{
    return sync_path(dir, O_RDONLY | O_DIRECTORY, err);
}

int durable_sync_file(const char *path, char **err)
{
    return sync_path(path, O_RDONLY, err);
}

void durable_tighten_fd(int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid()
        && (sb.st_mode & 077))
        (void)fchmod(fd, sb.st_mode & 07700);
}

void durable_tighten_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW
                        | O_CLOEXEC);
    if (fd < 0)
        return;
    durable_tighten_fd(fd);
    close(fd);
}

durable *durable_begin(const char *dir, unsigned mode, char **err)
{
    durable *d = xcalloc(1, sizeof *d);
    d->dir = xstrdup(dir);
    d->tmp = xasprintf("%s/" TMP_PREFIX "XXXXXX" TMP_SUFFIX, dir);
    d->fd = mkostemps(d->tmp, (int)strlen(TMP_SUFFIX), O_CLOEXEC);
    if (d->fd < 0) {
        int e = errno;
        *err = e == EACCES || e == EPERM || e == EROFS
            ? xasprintf(_("%s: cannot create a file there: the folder is "
                          "read-only for this user (%s); choose a folder you "
                          "can write"), dir, strerror(e))
            : xasprintf(_("%s: cannot create a file there: %s"), dir,
                        strerror(e));
        free(d->tmp);
        free(d->dir);
        free(d);
        return NULL;
    }
    fchmod(d->fd, (mode_t)mode);
    /* Held until the file is closed: durable_sweep() in another khaosat
     * (the screens and a command run at once) leaves a live file alone. */
    flock(d->fd, LOCK_EX | LOCK_NB);
    return d;
}

int durable_fd(const durable *d)
{
    return d->fd;
}

const char *durable_tmp_path(const durable *d)
{
    return d->tmp;
}

int durable_no_room(int errnum)
{
    return errnum == ENOSPC || errnum == EFBIG
#ifdef EDQUOT
        || errnum == EDQUOT
#endif
        ;
}

char *durable_write_why(int errnum)
{
    if (durable_no_room(errnum))
        return xasprintf(_("the disk is full or the file would be too large "
                           "for it (%s): free some space there, or choose "
                           "another place"), strerror(errnum));
    return xasprintf(_("cannot write: %s"), strerror(errnum));
}

int durable_write(durable *d, const void *p, size_t n, char **err)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(d->fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = ENOSPC;
            int e = errno;
            char *why = durable_write_why(e);
            *err = xasprintf("%s: %s", d->tmp, why);
            free(why);
            errno = e;
            return -1;
        }
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

void durable_abort(durable *d)
{
    if (!d)
        return;
    if (d->fd >= 0)
        close(d->fd);
    unlink(d->tmp);
    free(d->tmp);
    free(d->dir);
    free(d);
}

/* What the regular file path holds that must never be replaced by a
 * report, a backup or a card given its name: 1 an SQLite database (the
 * one in use, or another laptop's), 2 a khaosat key backup, 3 a khaosat
 * data backup, 0 anything else. */
static int kept_kind(const char *path)
{
    static const char db_magic[16] = "SQLite format 3";
    static const char *const backups[] = {"khaosat key backup ",
                                          "khaosat backup "};
    char head[32];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    if (n >= (ssize_t)sizeof db_magic && !memcmp(head, db_magic, sizeof db_magic))
        return 1;
    for (size_t i = 0; i < sizeof backups / sizeof *backups; i++)
        if (n >= (ssize_t)strlen(backups[i])
            && !memcmp(head, backups[i], strlen(backups[i])))
            return 2 + (int)i;
    return 0;
}

int durable_check_backup(const char *path, char **err)
{
    struct stat old;
    if (lstat(path, &old) != 0 || (S_ISREG(old.st_mode)
                                   && kept_kind(path) == 3))
        return 0;
    if (durable_check_replace(path, err) == 0)
        *err = xasprintf(_("%s exists and is not a khaosat data backup; "
                           "khaosat will not write over it: give another "
                           "name"), path);
    return -1;
}

int durable_check_replace(const char *path, char **err)
{
    struct stat old;
    if (lstat(path, &old) != 0)
        return 0;
    int kind = S_ISREG(old.st_mode) ? kept_kind(path) : -1;
    if (kind == 0)
        return 0;
    *err = kind < 0
        ? xasprintf(_("%s exists and is not a regular file; give the name "
                      "of a file"), path)
        : kind == 1
        ? xasprintf(_("%s is a database; khaosat will not write over it: "
                      "give another name"), path)
        : kind == 2
        ? xasprintf(_("%s is a khaosat key backup; khaosat will not write "
                      "over it: give another name"), path)
        : xasprintf(_("%s is a khaosat backup; khaosat will not write over "
                      "it: give another name"), path);
    return -1;
}

/* Rename tmp to path; with DURABLE_NEW an existing path is left alone
 * (returns 1).  renameat2's RENAME_NOREPLACE makes that atomic where the
 * file system has it; elsewhere a check just before is the best there is. */
static int rename_into(const char *tmp, const char *path,
                       enum durable_mode how)
{
    struct stat old;
    if (how != DURABLE_NEW) {
        /* A device, FIFO or directory under that name is not ours to
         * replace (writing a backup "to /dev/null" as root must not
         * destroy /dev/null). */
        if (lstat(path, &old) == 0 && !S_ISREG(old.st_mode)) {
            errno = EEXIST;
            return -2;
        }
        int kind = how == DURABLE_REPLACE_DATABASE ? 0 : kept_kind(path);
        /* A backup made again replaces an older data backup only: a key
         * backup, a card or any other file is not the user's to lose. */
        int exists = lstat(path, &old) == 0;
        if (kind == 1 || (kind && how == DURABLE_REPLACE)
            || (how == DURABLE_REPLACE_BACKUP && exists && kind != 3))
            return -3;
        return rename(tmp, path) == 0 ? 0 : -1;
    }
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST)
        return 1;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    if (lstat(path, &old) == 0)
        return 1;
    return rename(tmp, path) == 0 ? 0 : -1;
}

int durable_commit(durable *d, const char *path, enum durable_mode how,
                   char **err)
{
    if (d->fd >= 0) {
        if (fsync(d->fd) != 0 && errno != EINVAL) {
            *err = xasprintf("%s: cannot sync to the disk: %s", d->tmp,
                             strerror(errno));
            durable_abort(d);
            return -1;
        }
        int rc = close(d->fd);
        d->fd = -1;
        if (rc != 0) {
            *err = xasprintf("%s: cannot write: %s", d->tmp,
                             strerror(errno));
            durable_abort(d);
            return -1;
        }
    }
    int rc = rename_into(d->tmp, path, how);
    if (rc == 1)
        return 1;
    if (rc == -2 || rc == -3) {
        if ((how == DURABLE_REPLACE_BACKUP ? durable_check_backup(path, err)
                                           : durable_check_replace(path, err))
            == 0)
            *err = xasprintf(_("%s: cannot replace it"), path);
        durable_abort(d);
        return -1;
    }
    if (rc != 0) {
        *err = xasprintf("%s: cannot rename to %s: %s", d->tmp, path,
                         strerror(errno));
        durable_abort(d);
        return -1;
    }
    char *dir = durable_dirname(path);
    rc = durable_sync_dir(dir, err);
    free(dir);
    free(d->tmp);
    free(d->dir);
    free(d);
    return rc;
}

int durable_write_file(const char *path, const void *p, size_t n,
                       unsigned mode, enum durable_mode how, char **err)
{
    char *dir = durable_dirname(path);
    durable *d = durable_begin(dir, mode, err);
    free(dir);
    if (!d)
        return -1;
    if (durable_write(d, p, n, err) != 0) {
        durable_abort(d);
        return -1;
    }
    int rc = durable_commit(d, path, how, err);
    if (rc == 1) {
        *err = xasprintf("%s: already exists", path);
        durable_abort(d);
        return -1;
    }
    return rc;
}

/* Non-zero when name is one of our temporaries. */
static int is_leftover(const char *name)
{
    size_t n = strlen(name), p = strlen(TMP_PREFIX), s = strlen(TMP_SUFFIX);
    return n > p + s && strncmp(name, TMP_PREFIX, p) == 0
        && strcmp(name + n - s, TMP_SUFFIX) == 0;
}

/* The length of the temporary's name when name is the journal SQLite
 * keeps beside one of our temporaries (a snapshot being copied), else 0. */
static size_t companion_of(const char *name)
{
    static const char *const side[] = {"-journal", "-wal", "-shm"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
        size_t k = strlen(side[i]);
        if (n > k && strcmp(name + n - k, side[i]) == 0) {
            char *main_name = xstrndup(name, n - k);
            int ours = is_leftover(main_name);
            free(main_name);
            return ours ? n - k : 0;
        }
    }
    return 0;
}

/* Non-zero when the temporary name in dfd is being written (its writer
 * holds a lock on it). */
static int is_live(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int live = flock(fd, LOCK_EX | LOCK_NB) != 0;
    close(fd);
    return live;
}

/* Remove one leftover unless it is a live file of another process (its
 * writer holds a lock on it, or on the temporary a journal belongs to).
 * Returns 1 when it was removed. */
static int sweep_one(int dfd, const char *name)
{
    size_t main_len = companion_of(name);
    if (main_len) {
        char *main_name = xstrndup(name, main_len);
        int live = is_live(dfd, main_name);
        free(main_name);
        return !live && unlinkat(dfd, name, 0) == 0;
    }
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    int gone = 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)
        && flock(fd, LOCK_EX | LOCK_NB) == 0)
        gone = unlinkat(dfd, name, 0) == 0;
    close(fd);
    return gone;
}

int durable_sweep(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (!is_leftover(e->d_name) && !companion_of(e->d_name))
            continue;
        removed += sweep_one(dirfd(dp), e->d_name);
    }
    closedir(dp);
    return removed;
}
