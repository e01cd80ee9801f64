/* sync_dump.c: the SQLite file inside a bundle, given back for the stock
 * sqlite3 tool once the bundle passed every check of khaosat verify. */
#include "config.h"
#include "sync/sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"
#include "sync/bundle_int.h"
#include "sync/down_int.h"
#include "sync/envelope.h"

/* Write the len bytes d to out (a new file) or to f. */
static int dump_write(const unsigned char *d, size_t len, const char *out,
                      FILE *f, char **err)
{
    if (!out) {
        if (fwrite(d, 1, len, f) != len || fflush(f) != 0) {
            *err = xasprintf(_("cannot write the bundle's SQLite file: %s"),
                             strerror(errno));
            return -1;
        }
        return 0;
    }
    struct stat sb;
    if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        *err = xasprintf(_("%s: a directory: give the name of the file to "
                           "write, for example %s/bundle.sqlite"), out, out);
        return -1;
    }
    /* A dump killed half-way left its decrypted temporary: removed, as
     * export removes its own. */
    char *dir = durable_dirname(out);
    durable_sweep(dir);
    free(dir);
    /* Only this user: the answers are in the clear. */
    return durable_write_file(out, d, len, 0600, DURABLE_NEW, err);
}

int sync_dump(store *st, const char *path, const char *out, FILE *f,
              char **err)
{
    envelope_header h;
    char *why = NULL;
    int rc = envelope_read_header(path, &h, &why);
    free(why);
    const unsigned char *img = NULL;
    size_t len = 0;
    if (rc == 0 && !strcmp(h.direction, "down")) {
        down_bundle *d = NULL;
        if (!st) {
            *err = xasprintf(_("%s: a downstream bundle: only its laptop's "
                               "database can open it (--db)"), path);
            return -1;
        }
        if (envelope_open_down(st, path, &d, NULL, err) != 0)
            return -1;
        img = down_image(d, &len);
        rc = dump_write(img, len, out, f, err);
        down_close(d);
        return rc;
    }
    bundle *b = NULL;
    if (envelope_open(st, path, ENVELOPE_ALLOW_UNSIGNED, &b, NULL, err) != 0)
        return -1;
    img = bundle_image(b, &len);
    rc = dump_write(img, len, out, f, err);
    bundle_close(b);
    return rc;
}
