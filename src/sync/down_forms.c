/* down_forms.c: the forms an office sends down are its own.  A form whose
 * text changed under a version the office already keeps would be refused
 * by every laptop, with the returns of its bundle, so export --down
 * refuses it first; the versions it does send are kept as the office's
 * forms (as khaosat forms accept keeps a bundle's), so that its laptops'
 * bundles made with them merge there. */
#include "config.h"
#include "sync/down_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/form.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

/* Hex SHA-256 of form f's text. */
static void form_sha(const form *f, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)f->source, f->source_len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Non-zero when form i of cat is sent down: it has a text and a version,
 * and no form before it has its id and version (the bundle keeps the
 * first). */
static int sent_down(const catalog *cat, size_t i)
{
    const form *f = cat->forms[i];
    if (!f->source || !f->version)
        return 0;
    for (size_t j = 0; j < i; j++)
        if (cat->forms[j]->version && !strcmp(cat->forms[j]->id, f->id)
            && !strcmp(cat->forms[j]->version, f->version))
            return 0;
    return 1;
}

int down_forms_check(store *st, const catalog *cat, char **err)
{
    for (size_t i = 0; cat && i < cat->n; i++) {
        if (!sent_down(cat, i))
            continue;
        const form *f = cat->forms[i];
        store_form here;
        int got = store_load_form(st, f->id, f->version, &here);
        if (got < 0) {
            *err = xstrdup(store_errmsg(st));
            return -1;
        }
        if (got == 1)
            continue;
        char sha[65];
        form_sha(f, sha);
        int same = strcmp(here.sha256, sha) == 0;
        if (!same) {
            char *path = ui_text_safe(f->path ? f->path : f->id,
                                      UI_TEXT_QUOTED);
            char *id = ui_text_safe(f->id, UI_TEXT_QUOTED);
            char *ver = ui_text_safe(f->version, UI_TEXT_QUOTED);
            *err = xasprintf(_("%s: form \"%s\" version \"%s\" differs from "
                               "the form of that version this office keeps "
                               "(SHA-256 %.16s in the file, %.16s here), "
                               "and every laptop would refuse the bundle "
                               "with it; a changed form needs a new version "
                               "number: raise its version, then export "
                               "again; nothing was written"),
                             path, id, ver, sha, here.sha256);
            free(path);
            free(id);
            free(ver);
        }
        store_form_clear(&here);
        if (!same)
            return -1;
    }
    return 0;
}

int down_forms_keep(store *st, const catalog *cat, char **err)
{
    if (!cat || store_begin(st) != 0) {
        if (cat)
            *err = xstrdup(store_errmsg(st));
        return cat ? -1 : 0;
    }
    for (size_t i = 0; i < cat->n; i++) {
        const form *f = cat->forms[i];
        if (sent_down(cat, i)
            && store_save_form_tx(st, f->id, f->version, f->source,
                                  f->source_len) != 0) {
            *err = xstrdup(store_errmsg(st));
            store_rollback(st);
            return -1;
        }
    }
    if (store_commit(st) != 0) {
        *err = xstrdup(store_errmsg(st));
        return -1;
    }
    return 0;
}
