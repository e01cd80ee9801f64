/* tests/powercut.c: power cuts for the tests, and only for them.
 *
 * A kill -9 keeps everything the program wrote, because the kernel still
 * has it; a power cut keeps only what was synced.  This file is built two
 * ways by `make check` (see Makefile.am):
 *
 *   tests/powercut.so   an LD_PRELOAD shim.  Under POWERCUT_DIR it counts
 *                       every fsync() and fdatasync(), across processes
 *                       (the count lives in POWERCUT_STATE/count), and
 *                       records what each one makes durable: a file's
 *                       bytes (by inode), or a directory's list of names.
 *                       At the sync numbered POWERCUT_AT it kills the
 *                       process instead (SIGKILL): the power is gone
 *                       before that sync completes.
 *   tests/powercut      `powercut init DIR STATE` records DIR as wholly
 *                       on disk (before the run); `powercut rebuild STATE
 *                       OUT` builds in OUT what the disk holds after the
 *                       cut: only the names of directories synced since,
 *                       each with the bytes of its file's last sync (an
 *                       empty file when its bytes never were synced), as
 *                       fsync(2) promises and no more.
 *
 * Any test may use it: run the command once with POWERCUT_AT unset to
 * count its syncs, then once per sync with POWERCUT_AT set, rebuild, and
 * check the rebuilt tree (tests/cli_powercut.sh does so for merge, backup
 * and a stream of answers).  Not part of khaosat: never installed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The key of an inode: device, number and birth time, so that a number
 * reused by a new file is not taken for the old one. */
static void inode_key(const char *path, int fd, char *out, size_t n)
{
    struct statx sx;
    memset(&sx, 0, sizeof sx);
    int rc = fd >= 0 ? statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_BTIME,
                             &sx)
                     : statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
                             STATX_INO | STATX_BTIME, &sx);
    if (rc != 0) {
        snprintf(out, n, "none");
        return;
    }
    snprintf(out, n, "%x-%x-%llx-%llx-%x", sx.stx_dev_major, sx.stx_dev_minor,
             (unsigned long long)sx.stx_ino,
             (unsigned long long)sx.stx_btime.tv_sec, sx.stx_btime.tv_nsec);
}

/* Copy everything readable from fd (from offset 0) into path. */
static int copy_fd(int fd, const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0)
        return -1;
    char buf[65536];
    off_t off = 0;
    ssize_t k;
    while ((k = pread(fd, buf, sizeof buf, off)) > 0) {
        if (write(out, buf, (size_t)k) != k) {
            close(out);
            return -1;
        }
        off += k;
    }
    close(out);
    return rename(tmp, path);
}

/* The name of directory rel ("" for the root) in the state. */
static void dir_file(const char *state, const char *rel, char *out, size_t n)
{
    size_t k = (size_t)snprintf(out, n, "%s/dirs/d", state);
    for (const unsigned char *p = (const unsigned char *)rel; *p && k + 3 < n;
         p++)
        k += (size_t)snprintf(out + k, n - k, "%02x", *p);
}

/* Record the names in directory path (rel from the root) as durable. */
static void record_dir(const char *state, const char *path, const char *rel)
{
    char list[PATH_MAX], tmp[PATH_MAX + 8];
    dir_file(state, rel, list, sizeof list);
    snprintf(tmp, sizeof tmp, "%s.new", list);
    FILE *f = fopen(tmp, "w");
    DIR *d = opendir(path);
    if (!f || !d) {
        if (f)
            fclose(f);
        if (d)
            closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[PATH_MAX], key[128];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat sb;
        if (lstat(p, &sb) != 0)
            continue;
        inode_key(p, -1, key, sizeof key);
        fprintf(f, "%c\t%s\t%s\n", S_ISDIR(sb.st_mode) ? 'D' : 'F', key,
                e->d_name);
    }
    closedir(d);
    fclose(f);
    rename(tmp, list);
}

/* Record the bytes of the file open on fd as durable. */
static void record_file(const char *state, int fd)
{
    char key[128], p[PATH_MAX];
    inode_key(NULL, fd, key, sizeof key);
    snprintf(p, sizeof p, "%s/inodes/%s", state, key);
    /* The descriptor may be open for writing only: read the file anew. */
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    int in = open(link, O_RDONLY);
    copy_fd(in >= 0 ? in : fd, p);
    if (in >= 0)
        close(in);
}

#ifndef POWERCUT_TOOL
/* The sync counter shared by every process of the run; the new count. */
static long next_count(const char *state)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/count", state);
    int fd = open(p, O_RDWR | O_CREAT, 0600);
    if (fd < 0)
        return -1;
    flock(fd, LOCK_EX);
    char buf[32] = {0};
    ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
    long n = (k > 0 ? atol(buf) : 0) + 1;
    int len = snprintf(buf, sizeof buf, "%ld\n", n);
    if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)len, 0) == len)
        fdatasync(fd);      /* not ours to count: outside POWERCUT_DIR */
    flock(fd, LOCK_UN);
    close(fd);
    return n;
}

/* Before a sync of fd: count it, cut the power at POWERCUT_AT, else
 * record what it makes durable. */
static void before_sync(int fd)
{
    const char *root = getenv("POWERCUT_DIR");
    const char *state = getenv("POWERCUT_STATE");
    if (!root || !state)
        return;
    char rroot[PATH_MAX], link[64], path[PATH_MAX];
    if (!realpath(root, rroot))
        return;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t k = readlink(link, path, sizeof path - 1);
    if (k <= 0)
        return;
    path[k] = '\0';
    size_t n = strlen(rroot);
    if (strncmp(path, rroot, n) != 0 || (path[n] != '/' && path[n] != '\0'))
        return;
    long at = getenv("POWERCUT_AT") ? atol(getenv("POWERCUT_AT")) : 0;
    if (next_count(state) == at && at > 0)
        kill(getpid(), SIGKILL);
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode))
        record_dir(state, path, path[n] ? path + n + 1 : "");
    else
        record_file(state, fd);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    before_sync(fd);
    return real(fd);
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    before_sync(fd);
    return real(fd);
}
#else
/* Record every directory and file under path (rel) as durable. */
static void init_tree(const char *state, const char *path, const char *rel)
{
    record_dir(state, path, rel);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[PATH_MAX], r[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat sb;
        if (lstat(p, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            init_tree(state, p, r);
        } else if (S_ISREG(sb.st_mode)) {
            int fd = open(p, O_RDONLY);
            if (fd >= 0) {
                record_file(state, fd);
                close(fd);
            }
        }
    }
    closedir(d);
}

/* Build directory rel of the durable tree under out. */
static int rebuild(const char *state, const char *out, const char *rel)
{
    char list[PATH_MAX], dir[PATH_MAX];
    dir_file(state, rel, list, sizeof list);
    snprintf(dir, sizeof dir, "%s%s%s", out, *rel ? "/" : "", rel);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    FILE *f = fopen(list, "r");
    if (!f)
        return 0;       /* made, never synced: empty after the cut */
    char line[PATH_MAX + 160];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *key = strchr(line, '\t'), *name = key ? strchr(key + 1, '\t')
                                                     : NULL;
        if (!name)
            continue;
        *key++ = '\0';
        *name++ = '\0';
        char r[PATH_MAX], p[PATH_MAX], src[PATH_MAX];
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", name);
        snprintf(p, sizeof p, "%s/%s", out, r);
        if (line[0] == 'D') {
            rebuild(state, out, r);
            continue;
        }
        snprintf(src, sizeof src, "%s/inodes/%s", state, key);
        int in = open(src, O_RDONLY);
        if (in >= 0) {
            copy_fd(in, p);
            close(in);
        } else {
            close(open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600));
        }
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "init")) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/dirs", argv[3]);
        mkdir(argv[3], 0700);
        mkdir(p, 0700);
        snprintf(p, sizeof p, "%s/inodes", argv[3]);
        mkdir(p, 0700);
        char root[PATH_MAX];
        if (!realpath(argv[2], root))
            return 1;
        init_tree(argv[3], root, "");
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "rebuild"))
        return rebuild(argv[2], argv[3], "") ? 1 : 0;
    fprintf(stderr, "usage: powercut init DIR STATE | rebuild STATE OUT\n");
    return 2;
}
#endif
