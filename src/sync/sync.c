/* sync.c: the entry points of export and merge shared by the commands and
 * the screens (see sync.h). */
#include "config.h"
#include "sync/sync.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/durable.h"
#include "core/i18n.h"
#include "core/util.h"
#include "sync/bundle_int.h"
#include "sync/down_int.h"
#include "sync/envelope.h"

/* Prefix of the private directories that khaosat before 0.3 made in
 * $TMPDIR for a plain bundle about to be sealed; a killed export could
 * leave one behind, holding that bundle in the clear. */
#define OLD_SEAL_DIR "khaosat-seal-"

/* Remove the private directories of killed exports from $TMPDIR (only
 * this user's); returns how many files went. */
static int sweep_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    DIR *d = opendir(base);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, OLD_SEAL_DIR, strlen(OLD_SEAL_DIR)) != 0)
            continue;
        char *p = xasprintf("%s/%s", base, e->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)
            && sb.st_uid == getuid()) {
            removed += durable_sweep(p);
            rmdir(p);
        }
        free(p);
    }
    closedir(d);
    return removed;
}

int sync_export(store *st, const char *dir, unsigned flags,
                sync_export_result *out, char **err)
{
    memset(out, 0, sizeof *out);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        *err = xasprintf(_("%s: this is not a directory"), dir);
        return -1;
    }
    out->swept = durable_sweep(dir) + sweep_tmpdir();
    return envelope_export(st, dir, flags, &out->path, &out->count,
                           &out->reviews,
                           out->sealed_for, err);
}

void sync_export_result_clear(sync_export_result *r)
{
    free(r->path);
    r->path = NULL;
}

/* One downstream export in progress. */
typedef struct down_run {
    store *st;
    const catalog *forms;
    const char *dir;
    sync_down_fn fn;
    void *ctx;
    long written;
    char *err;
} down_run;

static int down_one(void *ctx, const char *device, const char *signer)
{
    down_run *r = ctx;
    char *path = NULL;
    long count = 0;
    if (envelope_export_down(r->st, r->forms, device, signer, r->dir, &path,
                             &count, &r->err) != 0)
        return -1;
    r->written++;
    if (r->fn)
        r->fn(r->ctx, device, path, count);
    free(path);
    return 0;
}

/* 0 when st is an office's database, else -1 with *err = why (copied). */
static int office_only(store *st, const char *why, char **err)
{
    char *role = NULL;
    if (keys_role(st, &role, err) != 0)
        return -1;
    int office = !strcmp(role, "office");
    free(role);
    if (!office)
        *err = xstrdup(why);
    return office ? 0 : -1;
}

/* The laptops whose device id starts with a prefix. */
typedef struct prefix_match {
    const char *prefix;
    char **ids;
    size_t n, cap;
} prefix_match;

static int match_prefix(void *ctx, const char *device, const char *signer)
{
    (void)signer;
    prefix_match *p = ctx;
    if (strncasecmp(device, p->prefix, strlen(p->prefix)) == 0) {
        p->ids = util_grow(p->ids, &p->cap, p->n + 1, sizeof *p->ids);
        p->ids[p->n++] = xstrdup(device);
    }
    return 0;
}

/* The one laptop whose device id starts with prefix, as git takes a
 * hash's prefix: 0 with *full (newly allocated; NULL when none matches,
 * left to the caller's message), or -1 with *err naming the candidates
 * of an ambiguous prefix. */
static int resolve_device(store *st, const char *prefix, char **full,
                          char **err)
{
    *full = NULL;
    prefix_match p = {prefix, NULL, 0, 0};
    if (!*prefix)
        return 0;
    if (store_down_devices(st, NULL, match_prefix, &p) != 0) {
        *err = xstrdup(store_errmsg(st));
        sync_paths_free(p.ids, p.n);
        return -1;
    }
    int rc = 0;
    if (p.n == 1) {
        *full = p.ids[0];
        p.ids[0] = NULL;
    } else if (p.n > 1) {
        sbuf b;
        sbuf_init(&b);
        for (size_t i = 0; i < p.n; i++)
            sbuf_addf(&b, "%s%s", i ? ", " : "", p.ids[i]);
        *err = xasprintf(_("the device id %s is ambiguous: %zu laptops "
                           "start with it (%s); give more of it"), prefix,
                         p.n, b.s);
        sbuf_free(&b);
        rc = -1;
    }
    sync_paths_free(p.ids, p.n);
    return rc;
}

/* Refuse (-1, *err) an office's forms folder with a form that does not
 * load: it would be left out of the bundles, and the laptops keep the old
 * version without a word. */
static int forms_broken(const catalog *forms, char **err)
{
    if (!forms || !forms->broken)
        return 0;
    *err = xasprintf(_("a form of the forms folder %s does not load (%s); "
                       "correct it or take it out of the folder"),
                     forms->dir, forms->broken);
    return -1;
}

int sync_export_down(store *st, const catalog *forms, const char *dir,
                     const char *device, sync_down_fn fn, void *ctx,
                     long *written, char **err)
{
    *written = 0;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        *err = xasprintf(_("%s: this is not a directory"), dir);
        return -1;
    }
    if (office_only(st, _("export --down is for an office: it writes the "
                          "bundles an office sends back to its laptops, and "
                          "this database is a laptop's"), err) != 0)
        return -1;
    if (forms_broken(forms, err) != 0 || down_forms_check(st, forms, err))
        return -1;
    char *full = NULL;
    if (device && resolve_device(st, device, &full, err) != 0)
        return -1;
    if (full)
        device = full;
    durable_sweep(dir);
    down_run r = {st, forms, dir, fn, ctx, 0, NULL};
    int rc = store_down_devices(st, device, down_one, &r);
    free(full);
    *written = r.written;
    if (rc != 0) {
        *err = r.err ? r.err : xstrdup(store_errmsg(st));
        return -1;
    }
    if (r.written == 0) {
        *err = device
            ? xasprintf(_("no laptop %s has sent this office bundles signed "
                        "by a card trusted here"), device)
            : xstrdup(_("no laptop has sent this office bundles signed by a "
                      "card trusted here: a downstream bundle is sealed for "
                      "a laptop's card"));
        return -1;
    }
    /* The office accepts its laptops' bundles made with what it sent. */
    return down_forms_keep(st, forms, err);
}

/* One laptop listing in progress. */
typedef struct laptop_run {
    store *st;
    sync_laptop_fn fn;
    void *ctx;
    char *err;
} laptop_run;

static int laptop_one(void *ctx, const char *device, const char *signer)
{
    laptop_run *r = ctx;
    keys_trusted t;
    int rc = keys_trusted_get(r->st, signer, &t, &r->err);
    if (rc < 0)
        return -1;
    char *label = rc == 0 ? keys_card_label(&t.card) : xstrdup("");
    if (rc == 0)
        keys_trusted_clear(&t);
    rc = r->fn(r->ctx, device, label);
    free(label);
    return rc;
}

int sync_down_laptops(store *st, sync_laptop_fn fn, void *ctx, char **err)
{
    laptop_run r = {st, fn, ctx, NULL};
    int rc = store_down_devices(st, NULL, laptop_one, &r);
    if (rc < 0)
        *err = r.err ? r.err : xstrdup(store_errmsg(st));
    else
        free(r.err);
    return rc;
}

int sync_down_allow(store *st, const catalog *forms, const char *form_id,
                    char **version, char **err)
{
    *version = NULL;
    if (office_only(st, _("--allow-breaking is for an office: it allows a "
                          "form version on the office's laptops, and this "
                          "database is a laptop's"), err) != 0
        || forms_broken(forms, err) != 0)
        return -1;
    const form *f = forms ? catalog_find(forms, form_id, NULL) : NULL;
    if (!f || !f->version) {
        char *e = merge_escaped(form_id);
        *err = xasprintf(_("--allow-breaking %s: no such form in the "
                           "office's forms (--forms)"), e);
        free(e);
        return -1;
    }
    char *key = xasprintf(DOWN_ALLOW_SETTING "%s", f->id);
    int rc = store_setting_set(st, key, f->version);
    free(key);
    if (rc != 0) {
        *err = xstrdup(store_errmsg(st));
        return -1;
    }
    *version = xstrdup(f->version);
    return 0;
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Non-zero when name ends in the bundle extension, in any case (sticks
 * formatted elsewhere show names in capitals). */
static int bundle_named(const char *name)
{
    size_t len = strlen(name), ext = strlen(BUNDLE_EXT);
    return name[0] != '.' && len > ext
        && strcasecmp(name + len - ext, BUNDLE_EXT) == 0;
}

/* Why an entry of a directory that lstat says is st is not merged, or
 * NULL for a regular file (only lstat: a FIFO is never opened). */
static const char *not_a_bundle(const struct stat *st)
{
    if (S_ISREG(st->st_mode))
        return NULL;
    if (S_ISFIFO(st->st_mode))
        return _("a named pipe (FIFO), not a file; it was not opened");
    if (S_ISLNK(st->st_mode))
        return _("a symbolic link; a directory is merged from its bundle "
                 "files only: copy the bundle itself there");
    if (S_ISDIR(st->st_mode))
        return _("a directory, not a bundle file");
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
        return _("a device, not a file; it was not opened");
    return _("not a regular file; it was not opened");
}

/* Sort (path, why) pairs by path. */
static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((char *const *)a)[0], ((char *const *)b)[0]);
}

int sync_scan_dir(const char *dir, char ***paths, size_t *n,
                  char ***skipped, size_t *nskipped, char **err)
{
    *paths = *skipped = NULL;
    *n = *nskipped = 0;
    DIR *d = opendir(dir);
    if (!d) {
        *err = xasprintf(_("%s: cannot read the directory: %s"), dir,
                         strerror(errno));
        return -1;
    }
    char **v = NULL, **s = NULL;
    size_t k = 0, ks = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!bundle_named(e->d_name))
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        struct stat sb;
        /* Regular files only: no FIFO that hangs, no device, no link
         * leading out of the directory; each one left out is said. */
        int gone = lstat(p, &sb) != 0;
        const char *why = gone ? strerror(errno) : not_a_bundle(&sb);
        if (why) {
            s = xrealloc(s, (2 * ks + 2) * sizeof *s);
            s[2 * ks] = p;
            s[2 * ks + 1] = gone ? xasprintf(_("%s: skipped: cannot be read: "
                                               "%s"), p, why)
                                 : xasprintf(_("%s: skipped: %s"), p, why);
            ks++;
            continue;
        }
        v = xrealloc(v, (k + 1) * sizeof *v);
        v[k++] = p;
    }
    closedir(d);
    if (k)
        qsort(v, k, sizeof *v, path_cmp);
    if (ks)
        qsort(s, ks, 2 * sizeof *s, pair_cmp);
    *paths = v;
    *n = k;
    *skipped = s;
    *nskipped = ks;
    return 0;
}

void sync_paths_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

/* One merge in progress. */
typedef struct sync_run {
    store *st;
    merger *mg;
    unsigned flags;
    const sync_merge_hooks *h;
    sync_totals *t;
    long total;               /* interviews of the current bundle */
    int bad;
} sync_run;

static int run_progress(void *ctx, long done)
{
    sync_run *r = ctx;
    return r->h->progress ? r->h->progress(r->h->ctx, done, r->total) : 0;
}

/* Tell the caller about a result and count it. */
static void report(sync_run *r, sync_bundle_result *res)
{
    switch (res->outcome) {
    case SYNC_MERGED:
        r->t->merged++;
        r->t->counts.added += res->counts.added;
        r->t->counts.updated += res->counts.updated;
        r->t->counts.unchanged += res->counts.unchanged;
        r->t->counts.conflicts += res->counts.conflicts;
        r->t->counts.duplicates += res->counts.duplicates;
        r->t->counts.returned += res->counts.returned;
        r->t->counts.reviews += res->counts.reviews;
        r->t->counts.setups += res->counts.setups;
        r->t->counts.setups_other += res->counts.setups_other;
        r->t->counts.decisions += res->counts.decisions;
        r->t->counts.villages_gone += res->counts.villages_gone;
        break;
    case SYNC_AGAIN:
        r->t->again++;
        break;
    case SYNC_REFUSED:
        r->t->refused++;
        r->bad = 1;
        break;
    case SYNC_SKIPPED:
        r->t->skipped++;
        break;
    case SYNC_LATER:
        r->t->later++;
        break;
    case SYNC_EMPTY_DIR:
        break;
    }
    if (r->h->done)
        r->h->done(r->h->ctx, res);
}

/* Open path with the trust policy, asking about a plain bundle when the
 * caller can. */
static int open_checked(sync_run *r, const char *path, bundle **b,
                        envelope_info *info, char **err)
{
    int rc = envelope_open(r->st, path, r->flags, b, info, err);
    if (rc != 0 && info->refused_unsigned && r->h->ask_unsigned
        && r->h->ask_unsigned(r->h->ctx, path, *err)) {
        free(*err);
        *err = NULL;
        rc = envelope_open(r->st, path, r->flags | ENVELOPE_ALLOW_UNSIGNED,
                           b, info, err);
    }
    return rc;
}

/* After a merge: each interview it changed loses the answers beyond its
 * rosters' counts, and a complete one that breaks its own checks is
 * returned to the enumerator (the settle hook). A failure here
 * leaves the merge as it is and is told as the bundle's message. */
static void settle_changed(sync_run *r, sync_bundle_result *res)
{
    char *const *uuids;
    size_t n = r->h->settle ? merger_changed(r->mg, &uuids) : 0;
    sbuf gone;
    sbuf_init(&gone);
    for (size_t i = 0; i < n; i++) {
        int returned = 0;
        char *err = NULL, *codes = NULL;
        int rc = r->h->settle(r->st, uuids[i], &returned, &codes, &err);
        free(err);      /* a form that cannot be loaded: left as is */
        if (rc == 0)
            res->counts.returned += returned;
        /* A village dropped since it was answered: taken, and told. */
        if (codes) {
            res->counts.villages_gone++;
            sbuf_addf(&gone, _("interview %s: village %s no longer in the "
                               "commune's set-up\n"), uuids[i], codes);
        }
        free(codes);
    }
    res->gone = gone.len ? sbuf_detach(&gone) : NULL;
}

/* The ask_versions hook of a run, for down_apply. */
typedef struct down_asker {
    sync_run *r;
    const char *path;
    char *changes;              /* what was shown, kept for the result */
} down_asker;

static int ask_versions(void *ctx, const char *changes)
{
    down_asker *q = ctx;
    free(q->changes);
    q->changes = xstrdup(changes);
    return q->r->h->ask_versions(q->r->h->ctx, q->path, changes);
}

/* Check and apply one downstream bundle from this laptop's office. */
static void merge_down(sync_run *r, const char *path)
{
    sync_bundle_result res = {.path = path, .outcome = SYNC_REFUSED,
                              .down = 1};
    down_bundle *d = NULL;
    envelope_info info;
    char *err = NULL;
    if (envelope_open_down(r->st, path, &d, &info, &err) == 0) {
        res.sealed = 1;
        down_asker q = {r, path, NULL};
        int rc = down_apply(r->st, d, r->h->ask_versions ? ask_versions
                            : NULL, &q, &res.down_counts, &err);
        res.outcome = rc == 0 ? SYNC_MERGED : rc == 1 ? SYNC_AGAIN
                    : rc == 3 ? SYNC_LATER : SYNC_REFUSED;
        if (rc == 3)
            res.down_counts.changes = q.changes;   /* the versions first */
        else
            free(q.changes);
        /* Refused loudly: an older bundle would take back what a newer
         * one of the same office said. */
        if (rc == 2)
            err = xasprintf(_("%s: refused: older than the bundle taken "
                            "before from the same office; ask the office "
                            "for a new one (khaosat export --down)"), path);
    }
    res.why = err;
    report(r, &res);
    free(res.down_counts.changes);
    free(res.down_counts.versions);
    free(res.down_counts.gone);
    free(res.down_counts.late);
    envelope_info_clear(&info);
    down_close(d);
    free(err);
}

/* Non-zero when path is a sealed bundle whose header says "down". */
static int is_downstream(const char *path)
{
    envelope_header h;
    char *err = NULL;
    int rc = envelope_read_header(path, &h, &err);
    free(err);
    return rc == 0 && strcmp(h.direction, "down") == 0;
}

/* A file merged here before, the same bytes: told as merged before
 * without unpacking or checking it again (the same hash is the same
 * bytes, checked whole when they were merged, and merging them again
 * changes nothing).  Non-zero when it was.  A file that cannot be hashed
 * is left to the usual opening, which says why. */
static int merged_file(sync_run *r, const char *path)
{
    char hash[BUNDLE_FILE_HASH_HEX], *uuid = NULL, *merged = NULL;
    char *err = NULL;
    if (bundle_hash_file(path, hash, &err) != 0
        || merger_file_seen(r->mg, hash, &uuid, &merged, &err) != 0) {
        free(err);
        return 0;
    }
    sync_bundle_result res = {.path = path, .outcome = SYNC_AGAIN,
                              .merged_on = merged};
    report(r, &res);
    free(uuid);
    free(merged);
    return 1;
}

/* Check and merge one bundle file, bundle i of n. */
static void merge_file(sync_run *r, const char *path, int in_dir, size_t i,
                       size_t n)
{
    if (r->h->start)
        r->h->start(r->h->ctx, i, n, path);
    r->t->bundles++;
    char *why = NULL;
    if (in_dir && envelope_down_elsewhere(r->st, path, &why)) {
        /* The office wrote one per laptop on the same stick. */
        sync_bundle_result res = {.path = path, .outcome = SYNC_SKIPPED,
                                  .why = why};
        report(r, &res);
        free(why);
        return;
    }
    if (is_downstream(path)) {
        merge_down(r, path);
        return;
    }
    if (merged_file(r, path))
        return;
    sync_bundle_result res = {.path = path, .outcome = SYNC_REFUSED};
    bundle *b = NULL;
    envelope_info info;
    char *err = NULL;
    if (open_checked(r, path, &b, &info, &err) == 0) {
        res.sealed = info.sealed;
        r->total = bundle_get_manifest(b)->interviews;
        int rc = merger_run(r->mg, b, run_progress, r, &res.counts, &err);
        if (rc < 0 && merger_forms_held(r->mg) && r->h->ask_forms
            && r->h->ask_forms(r->h->ctx, path, err)) {
            free(err);
            err = NULL;
            rc = merge_accept_forms(r->st, b, NULL, NULL, &err) == 0
                ? merger_run(r->mg, b, run_progress, r, &res.counts, &err)
                : -1;
        }
        if (rc == 0)
            settle_changed(r, &res);
        res.outcome = rc == 0 ? SYNC_MERGED : rc == 1 ? SYNC_AGAIN
                                                      : SYNC_REFUSED;
        if (rc == 1)
            res.merged_on = merger_merged_on(r->mg);
        if (rc == 0)
            res.reused_device = merger_reused_device(r->mg);
        if (rc == 0)
            res.nnotes = merger_notes(r->mg, &res.notes);
    }
    res.why = err;
    report(r, &res);
    envelope_info_clear(&info);
    bundle_close(b);
    free(err);
    free(res.gone);
}

/* The bundles of directory dir, telling the caller about every entry
 * left out and about a directory without bundles. */
static int scan_dir(sync_run *r, const char *dir, char ***v, size_t *k,
                    char **err)
{
    char **skipped;
    size_t ns;
    if (sync_scan_dir(dir, v, k, &skipped, &ns, err) != 0)
        return -1;
    if (*k == 0) {
        sync_bundle_result res = {.path = dir, .outcome = SYNC_EMPTY_DIR};
        report(r, &res);
    }
    for (size_t i = 0; i < ns; i++) {
        r->t->bundles++;        /* named like one: counted, as skipped */
        sync_bundle_result res = {.path = skipped[2 * i],
                                  .outcome = SYNC_SKIPPED,
                                  .why = skipped[2 * i + 1]};
        report(r, &res);
    }
    sync_paths_free(skipped, 2 * ns);
    return 0;
}

int sync_merge_paths(store *st, const catalog *forms, char *const *paths,
                     size_t n, unsigned flags, const sync_merge_hooks *hooks,
                     sync_totals *totals)
{
    static const sync_merge_hooks none;
    memset(totals, 0, sizeof *totals);
    sync_run r = {st, merger_new(st),
                  flags & SYNC_ALLOW_UNSIGNED ? ENVELOPE_ALLOW_UNSIGNED : 0,
                  hooks ? hooks : &none, totals, 0, 0};
    merger_set_forms(r.mg, forms);
    merger_set_provinces(r.mg, r.h->province);
    /* Expand directories first, so that progress can say "i of n". */
    char **all = NULL;
    unsigned char *in_dir = NULL;
    size_t nall = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        char **v = NULL, *err = NULL;
        size_t k = 0;
        int dir = stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode);
        if (!dir) {
            v = xmalloc(sizeof *v);
            v[0] = xstrdup(paths[i]);
            k = 1;
        } else if (scan_dir(&r, paths[i], &v, &k, &err) != 0) {
            sync_bundle_result res = {.path = paths[i], .outcome = SYNC_REFUSED,
                                      .why = err};
            report(&r, &res);
            free(err);
        }
        all = xrealloc(all, (nall + k + 1) * sizeof *all);
        in_dir = xrealloc(in_dir, nall + k + 1);
        memset(in_dir + nall, dir, k + 1);
        if (k)      /* v is NULL for a directory without bundles */
            memcpy(all + nall, v, k * sizeof *v);
        nall += k;
        free(v);
    }
    for (size_t i = 0; i < nall; i++)
        merge_file(&r, all[i], in_dir[i], i, nall);
    sync_paths_free(all, nall);
    free(in_dir);
    merger_free(r.mg);
    return r.bad;
}
