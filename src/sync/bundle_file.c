/* bundle_file.c: opening a file from a stick as a bundle: only a regular
 * file (a FIFO must not hang the merge, a device must not be read), a
 * symbolic link only when it stays in its own directory, and sizes
 * checked before any allocation. */
#include "config.h"
#include "sync/bundle_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"

/* For a symbolic link: its target's real path when it stays inside the
 * link's own directory, else NULL with *why set. */
static char *link_target(const char *path, char **why)
{
    char *dir = durable_dirname(path);
    char *rdir = realpath(dir, NULL), *target = realpath(path, NULL);
    free(dir);
    size_t n = rdir ? strlen(rdir) : 0;
    int inside = rdir && target && strncmp(target, rdir, n) == 0
        && (target[n] == '/' || (n == 1 && rdir[0] == '/'));
    free(rdir);
    if (!inside) {
        *why = target ? xstrdup(_("a link to a file outside its directory; "
                                "copy the bundle itself there"))
                      : xasprintf(_("a link that cannot be followed: %s"),
                                  strerror(errno));
        free(target);
        return NULL;
    }
    return target;
}

int bundle_file_open(const char *path, int *fd, long long *size,
                     char **why)
{
    *fd = -1;
    *size = 0;
    struct stat lsb, sb;
    if (lstat(path, &lsb) != 0) {
        *why = xasprintf(_("cannot read: %s"), strerror(errno));
        return -1;
    }
    char *target = NULL;
    if (S_ISLNK(lsb.st_mode) && !(target = link_target(path, why)))
        return -1;
    /* Non-blocking: opening a FIFO for reading must not wait for a
     * writer; it is then refused as not a regular file. */
    int f = open(target ? target : path,
                 O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
    free(target);
    if (f < 0) {
        *why = xasprintf(_("cannot read: %s"), strerror(errno));
        return -1;
    }
    if (fstat(f, &sb) != 0 || !S_ISREG(sb.st_mode)
        || (!S_ISLNK(lsb.st_mode) && (sb.st_dev != lsb.st_dev
                                       || sb.st_ino != lsb.st_ino))) {
        *why = xstrdup(_("not a regular file"));
        close(f);
        return -1;
    }
    int flags = fcntl(f, F_GETFL);
    if (flags >= 0)
        fcntl(f, F_SETFL, flags & ~O_NONBLOCK);
    *fd = f;
    *size = (long long)sb.st_size;
    return 0;
}

int bundle_file_read(int fd, long long off, void *buf, size_t n,
                     char **why)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done,
                          (off_t)(off + (long long)done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *why = xasprintf(_("cannot read: %s"), strerror(errno));
            return -1;
        }
        if (r == 0) {
            *why = xstrdup(_("cannot read: cut short while being read"));
            return -1;
        }
        done += (size_t)r;
    }
    return 0;
}

void bundle_hash_init(crypto_generichash_state *h)
{
    crypto_generichash_init(h, NULL, 0, crypto_generichash_BYTES);
}

void bundle_hash_final(crypto_generichash_state *h,
                       char out[BUNDLE_FILE_HASH_HEX])
{
    unsigned char bin[crypto_generichash_BYTES];
    crypto_generichash_final(h, bin, sizeof bin);
    sodium_bin2hex(out, BUNDLE_FILE_HASH_HEX, bin, sizeof bin);
}

/* The piece of a file hashed at once: memory stays the same whatever
 * the file's size. */
#define HASH_PIECE (256 * 1024)

int bundle_hash_file(const char *path, char out[BUNDLE_FILE_HASH_HEX],
                     char **err)
{
    int fd;
    long long size;
    char *why = NULL;
    if (sodium_init() < 0) {
        *err = xasprintf(_("%s: libsodium failed to initialise"), path);
        return -1;
    }
    if (bundle_file_open(path, &fd, &size, &why) != 0) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
        return -1;
    }
    crypto_generichash_state h;
    bundle_hash_init(&h);
    unsigned char *buf = xmalloc(HASH_PIECE);
    int rc = 0;
    for (;;) {
        ssize_t r = read(fd, buf, HASH_PIECE);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *err = xasprintf(_("%s: cannot read: %s"), path, strerror(errno));
            rc = -1;
        }
        if (r <= 0)
            break;
        crypto_generichash_update(&h, buf, (unsigned long long)r);
    }
    free(buf);
    close(fd);
    if (rc == 0)
        bundle_hash_final(&h, out);
    return rc;
}

/* Read the whole plain bundle (size bytes, compressed or not) on fd into a new
 * sqlite3_malloc64 buffer; NULL with *why set on failure. */
static unsigned char *read_whole(int fd, long long size, char **why)
{
    if (size <= 0) {
        *why = xstrdup(_("empty file, not a khaosat bundle"));
        return NULL;
    }
    if (size > BUNDLE_MAX_FILE || (unsigned long long)size > SIZE_MAX / 2) {
        *why = xasprintf(_("%lld bytes, larger than the %lld bytes of the "
                         "largest bundle khaosat reads"), size,
                         (long long)BUNDLE_MAX_FILE);
        return NULL;
    }
    static const char magic[16] = "SQLite format 3";
    unsigned char head[sizeof magic];
    if (size < (long long)sizeof head
        || bundle_file_read(fd, 0, head, sizeof head, why) != 0
        || (memcmp(head, magic, sizeof magic) != 0
            && !bundle_is_packed(head, sizeof head))) {
        free(*why);
        *why = xstrdup(_("not a khaosat bundle (neither compressed nor a "
                         "SQLite file)"));
        return NULL;
    }
    unsigned char *d = sqlite3_malloc64((sqlite3_uint64)size);
    if (!d) {
        *why = xasprintf(_("%lld bytes do not fit in memory"), size);
        return NULL;
    }
    char extra;
    if (bundle_file_read(fd, 0, d, (size_t)size, why) != 0) {
        sqlite3_free(d);
        return NULL;
    }
    if (pread(fd, &extra, 1, (off_t)size) != 0) {
        sqlite3_free(d);
        *why = xstrdup(_("cannot read: it changed while being read"));
        return NULL;
    }
    return d;
}

int bundle_open_fd(const char *path, int fd, long long size, bundle **out,
                   char **err)
{
    *out = NULL;
    char *why = NULL;
    unsigned char *d = read_whole(fd, size, &why);
    if (!d) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
        return -1;
    }
    /* The hash of exactly the bytes verified: the same hash next time is
     * the same file, known to be this bundle without checking it again. */
    char hex[BUNDLE_FILE_HASH_HEX];
    crypto_generichash_state h;
    bundle_hash_init(&h);
    crypto_generichash_update(&h, d, (unsigned long long)size);
    bundle_hash_final(&h, hex);
    int rc;
    if (bundle_is_packed(d, (size_t)size)) {
        unsigned char *img = NULL;
        size_t len = 0;
        rc = bundle_unpack(d, (size_t)size, &img, &len, &why);
        sqlite3_free(d);
        if (rc != 0) {
            *err = xasprintf("%s: %s", path, why);
            free(why);
            return -1;
        }
        rc = bundle_open_memory(path, img, len, out, err);
    } else {
        rc = bundle_open_memory(path, d, (size_t)size, out, err);
    }
    if (rc == 0)
        bundle_set_file_hash(*out, hex);
    return rc;
}

int bundle_open(const char *path, bundle **out, char **err)
{
    *out = NULL;
    int fd;
    long long size;
    char *why = NULL;
    if (bundle_file_open(path, &fd, &size, &why) != 0) {
        *err = xasprintf("%s: %s", path, why);
        free(why);
        return -1;
    }
    int rc = bundle_open_fd(path, fd, size, out, err);
    close(fd);
    return rc;
}
