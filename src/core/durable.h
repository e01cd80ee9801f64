/* durable.h: files that reach the disk before anyone is told they exist.
 *
 * Every file khaosat creates or replaces (bundles, sealed bundles, cards,
 * backups, reports written with --sync) goes through here: the bytes go to a
 * hidden temporary in the target directory, the temporary is fsynced,
 * renamed to its final name, and the directory is fsynced.  Only then does
 * durable_commit() return 0, so a caller that records "written" afterwards
 * never records a file that a power cut can take back.  Temporaries are
 * named ".khaosat-*.tmp": never mistaken for a bundle, and swept by
 * durable_sweep(). */
#ifndef KHAOSAT_DURABLE_H
#define KHAOSAT_DURABLE_H

#include <stddef.h>

/* A file being written; opaque. */
typedef struct durable durable;

/* How durable_commit() treats an existing file at the final path. */
enum durable_mode {
    DURABLE_REPLACE,   /* replace it atomically, unless it is a database */
    DURABLE_REPLACE_DATABASE, /* replace it, even a database (restore) */
    DURABLE_REPLACE_BACKUP, /* replace an older data backup only, nothing
                             * else (a backup made again under its name) */
    DURABLE_NEW        /* refuse: the caller picks another name */
};

/* Start a file that will become visible in dir.  mode is its permission
 * (e.g. 0600).  Returns NULL with *err (caller frees) on failure. */
durable *durable_begin(const char *dir, unsigned mode, char **err);
/* The temporary's descriptor, for callers that hand it to a library. */
int durable_fd(const durable *d);
/* The temporary's path (owned by d). */
const char *durable_tmp_path(const durable *d);
/* Non-zero when errnum says a write found no room (a full disk, a quota,
 * a file size limit). */
int durable_no_room(int errnum);
/* Why a write failed with errnum, in words with what to do when there was
 * no room (newly allocated; the caller puts the file name before it). */
char *durable_write_why(int errnum);
/* Append n bytes; on failure *err names the temporary and the reason. */
int durable_write(durable *d, const void *p, size_t n, char **err);
/* Sync the file, give it its final name path (in the same directory) and
 * sync the directory.  Returns 0 and frees d; 1 when how is DURABLE_NEW
 * and path exists (d stays open for another try); -1 with *err (d freed,
 * temporary removed) on failure. */
int durable_commit(durable *d, const char *path, enum durable_mode how,
                   char **err);
/* 0 when a file may be written at path with DURABLE_REPLACE (none there,
 * or a regular file that is neither a database nor a khaosat backup);
 * else -1 with *err (caller frees) saying why not.  Writers that cannot go
 * through durable_commit (a library writing the file) check first. */
int durable_check_replace(const char *path, char **err);
/* 0 when a data backup may be written at path (none there, or an older
 * khaosat data backup); else -1 with *err (caller frees) saying why not. */
int durable_check_backup(const char *path, char **err);
/* Drop an unfinished file: remove the temporary and free d (NULL is ok). */
void durable_abort(durable *d);

/* Write n bytes as the whole of path (created with mode), durably. */
int durable_write_file(const char *path, const void *p, size_t n,
                       unsigned mode, enum durable_mode how, char **err);
/* fsync a directory so that names created or renamed in it persist.
 * File systems that cannot sync a directory (EINVAL) are accepted. */
int durable_sync_dir(const char *dir, char **err);
/* fsync an existing file by path. */
int durable_sync_file(const char *path, char **err);
/* Clear the group and other permission bits of the open regular file fd
 * when it has any (a file an older khaosat made 0644 holds answers too);
 * failing to is not an error (a file of another user's). */
void durable_tighten_fd(int fd);
/* The same for the file at path when it exists, is a regular file (not
 * through a link) and is this user's. */
void durable_tighten_path(const char *path);
/* The directory part of path (newly allocated; "." for a bare name). */
char *durable_dirname(const char *path);
/* Remove temporaries left in dir by a killed khaosat; those another
 * khaosat is still writing (it holds a lock on them) are left alone.
 * Returns how many were removed; a directory that cannot be read counts as
 * none. */
int durable_sweep(const char *dir);

#endif
