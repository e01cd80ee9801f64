/* merge_forms.c: the forms are the office's.  A bundle merges only when
 * every form version it carries is one this database already keeps, with
 * the same text; otherwise it is held aside until the supervisor has
 * looked at the form and accepted it (khaosat forms accept BUNDLE).  The
 * first bundle to carry a form version therefore never defines it, and a
 * forged text cannot lock honest bundles out. */
#include "config.h"
#include "sync/merge_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/form.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

char *merge_escaped(const char *v)
{
    return ui_text_safe(v, UI_TEXT_QUOTED);
}

/* Hold the bundle aside because of form (id, version): the message. */
static int held_aside(merger *m, const char *id, const char *version,
                      const char *why)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_addf(&b, "%s: form \"", bundle_path(m->b));
    ui_text_escape(&b, id, UI_TEXT_QUOTED);
    sbuf_add(&b, "\" version \"");
    ui_text_escape(&b, version, UI_TEXT_QUOTED);
    sbuf_addf(&b, "\" %s; the bundle is held aside, nothing merged: check "
              "the form, then accept it with 'khaosat forms accept %s'",
              why, bundle_path(m->b));
    free(m->err);
    m->err = sbuf_detach(&b);
    m->forms_held = 1;
    return -1;
}

/* Non-zero when the office's forms directory has form (id, version) with
 * the text whose SHA-256 (hex) is sha. */
static int in_forms_dir(const merger *m, const char *id, const char *version,
                        const char *sha)
{
    const form *f = m->cat ? catalog_find(m->cat, id, version) : NULL;
    if (!f || !f->version || strcmp(f->version, version) != 0 || !f->source)
        return 0;
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(h, (const unsigned char *)f->source, f->source_len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return strcmp(hex, sha) == 0;
}

int merge_check_forms(merger *m)
{
    sqlite3_stmt *f = m->bs[BS_FORMS];
    int rc;
    while ((rc = sqlite3_step(f)) == SQLITE_ROW) {
        const char *v[4];
        for (int i = 0; i < 4; i++)
            v[i] = (const char *)sqlite3_column_text(f, i);
        char *sha;
        int got = store_merge_form_sha(m->sm, v[0], v[1], &sha);
        int differs = got == 0 && (!sha || strcmp(sha, v[2]) != 0);
        free(sha);
        if (got < 0) {
            sqlite3_reset(f);
            return merge_store_fail(m, _("reading form %s"), v[0]);
        }
        /* Not kept yet, but the very text of the office's own forms
         * directory: kept now, as part of this merge. */
        if (got == 1 && in_forms_dir(m, v[0], v[1], v[2])) {
            if (store_save_form_tx(m->st, v[0], v[1], v[3],
                                   (size_t)sqlite3_column_bytes(f, 3)) != 0) {
                sqlite3_reset(f);
                return merge_store_err(m);
            }
            continue;
        }
        if (got == 1 || differs) {
            held_aside(m, v[0], v[1], differs
                       ? "differs from this database's form of that "
                         "version (a changed form needs a new version)"
                       : "is not one of this database's forms");
            sqlite3_reset(f);
            return -1;
        }
    }
    sqlite3_reset(f);
    return rc == SQLITE_DONE ? 0
        : merge_bundle_fail(m, _("reading the bundle's forms"));
}

/* What accepting a bundle's forms needs while going through them. */
typedef struct accept_run {
    store *st;
    bundle *b;
    merge_form_fn fn;
    void *ctx;
    char *err;
} accept_run;

static int accept_one(void *ctx, const char *form_id, const char *version,
                      const char *sha256, const char *source, size_t len)
{
    accept_run *r = ctx;
    /* A text that does not load checks no answer: merging against it
     * would take any value, so it is never accepted. */
    diag_list d;
    diag_init(&d);
    form *f = form_load_string(source, len, form_id, &d);
    if (!f || d.n > 0) {
        sbuf b;
        sbuf_init(&b);
        sbuf_addf(&b, "%s: form \"", bundle_path(r->b));
        ui_text_escape(&b, form_id, UI_TEXT_QUOTED);
        sbuf_add(&b, "\" version \"");
        ui_text_escape(&b, version, UI_TEXT_QUOTED);
        sbuf_add(&b, "\" is not a valid form");
        if (d.n > 0) {
            char *first = diag_format(&d.v[0]);
            sbuf_add(&b, " (");
            ui_text_escape(&b, first, UI_TEXT_QUOTED);
            sbuf_add(&b, ")");
            free(first);
        }
        sbuf_add(&b, "; not accepted");
        r->err = sbuf_detach(&b);
        form_free(f);
        diag_free(&d);
        return 1;
    }
    form_free(f);
    diag_free(&d);
    merge_form mf = {form_id, version, sha256, MERGE_FORM_ADDED};
    store_form here;
    int got = store_load_form(r->st, form_id, version, &here);
    if (got == 0) {
        mf.status = strcmp(here.sha256, sha256) == 0 ? MERGE_FORM_HERE
                                                     : MERGE_FORM_DIFFERS;
        store_form_clear(&here);
    }
    if (got < 0 || (got == 1 && store_save_form(r->st, form_id, version,
                                                source, len, NULL) != 0)) {
        r->err = xstrdup(store_errmsg(r->st));
        return 1;
    }
    if (r->fn)
        r->fn(r->ctx, &mf);
    return 0;
}

int merge_accept_forms(store *st, bundle *b, merge_form_fn fn, void *ctx,
                       char **err)
{
    accept_run r = {st, b, fn, ctx, NULL};
    int rc = bundle_each_form(b, accept_one, &r, err);
    if (r.err) {
        free(*err);
        *err = r.err;
    }
    return rc;
}

int merger_forms_held(const merger *m)
{
    return m->forms_held;
}

void merger_set_forms(merger *m, const catalog *cat)
{
    m->cat = cat;
}

