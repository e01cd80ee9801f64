/* store_paths.c: where the database lives by default, and the folders
 * made for it (each new one synced, so that its name lasts a power cut). */
#include "config.h"
#include "store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/durable.h"
#include "core/util.h"

int store_default_path(char **out)
{
    const char *env = getenv("KHAOSAT_DB");
    if (env && *env) {
        *out = xstrdup(env);
        return 0;
    }
    env = getenv("XDG_DATA_HOME");
    if (env && *env) {
        *out = xasprintf("%s/khaosat/khaosat.db", env);
        return 0;
    }
    env = getenv("HOME");
    if (!env || !*env) {
        *out = NULL;
        return -1;
    }
    *out = xasprintf("%s/.local/share/khaosat/khaosat.db", env);
    return 0;
}

int store_mkdirs_for(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        /* Create each prefix in turn; existing ones are fine. */
        for (char *p = dir + 1; ; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0700) == 0) {
                /* A new folder's name lasts a power cut only once its
                 * parent is synced (the database inside is synced by
                 * SQLite itself). */
                char *parent = durable_dirname(dir), *why = NULL;
                if (durable_sync_dir(parent, &why) != 0) {
                    free(why);
                    rc = -EIO;
                }
                free(parent);
                if (rc)
                    break;
            } else if (errno != EEXIST) {
                rc = -errno;
                break;
            }
            *p = c;
            if (c == '\0')
                break;
        }
    }
    free(dir);
    return rc;
}
