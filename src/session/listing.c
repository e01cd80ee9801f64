/* listing.c: the interviews as the lists show them (the home screen's list
 * and `khaosat list`): each by the name its form gives it, in natural
 * order. The name is the one the session keeps beside the interview
 * (instance_name, computed whenever an answer changes), so listing never
 * evaluates an interview. */
#include "config.h"
#include "session/listing.h"

#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/i18n.h"
#include "core/util.h"
#include "session/session.h"

/* The stored forms met so far, each loaded once. */
typedef struct listing_forms {
    struct listing_form {
        char *id, *version;
        form *f;            /* NULL: cannot be loaded */
    } *v;
    size_t n, cap;
} listing_forms;

/* The stored form of iv (borrowed from fs), or NULL. */
static const form *listing_form(store *st, listing_forms *fs,
                                const store_interview *iv)
{
    for (size_t i = 0; i < fs->n; i++)
        if (!strcmp(fs->v[i].id, iv->form_id) &&
            !strcmp(fs->v[i].version, iv->form_version))
            return fs->v[i].f;
    form *f = session_stored_form(st, iv->form_id, iv->form_version);
    fs->v = util_grow(fs->v, &fs->cap, fs->n + 1, sizeof *fs->v);
    fs->v[fs->n++] = (struct listing_form){xstrdup(iv->form_id),
                                           xstrdup(iv->form_version), f};
    return f;
}

static void listing_forms_free(listing_forms *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->v[i].id);
        free(fs->v[i].version);
        form_free(fs->v[i].f);
    }
    free(fs->v);
}

/* The case key answers of one interview, in the key's order. */
struct listing_keys {
    const form *f;
    char **vals;          /* one per key question */
};

static int listing_key_answer(void *ctx, const char *qid, const char *path,
                              const char *value)
{
    struct listing_keys *k = ctx;
    for (size_t i = 0; !*path && i < k->f->nkey; i++)
        if (!k->vals[i] && !strcmp(k->f->q[k->f->key[i]].id, qid))
            k->vals[i] = xstrdup(value);
    return 0;
}

/* What iv is listed by: its kept name, else its case key answers
 * ("village=01, hh_no=12"), else its UUID. Newly allocated. */
static char *listing_name(store *st, const form *f, const store_interview *iv)
{
    if (iv->name && *iv->name)
        return xstrdup(iv->name);
    sbuf b;
    sbuf_init(&b);
    if (f && f->nkey) {
        struct listing_keys k = {f, xcalloc(f->nkey, sizeof *k.vals)};
        store_load_answers(st, iv->uuid, listing_key_answer, &k);
        for (size_t i = 0; i < f->nkey; i++) {
            if (k.vals[i])
                sbuf_addf(&b, "%s%s=%s", b.len ? ", " : "",
                          f->q[f->key[i]].id, k.vals[i]);
            free(k.vals[i]);
        }
        free(k.vals);
    }
    if (!b.len)
        sbuf_add(&b, iv->uuid);
    return b.s;
}

/* Collect the rows of store_list_interviews. */
typedef struct listing_rows {
    session_listed *v;
    size_t n, cap;
} listing_rows;

static int listing_collect(void *ctx, const store_interview *iv)
{
    listing_rows *r = ctx;
    r->v = util_grow(r->v, &r->cap, r->n + 1, sizeof *r->v);
    session_listed *d = &r->v[r->n++];
    memset(d, 0, sizeof *d);
    d->iv.uuid = xstrdup(iv->uuid);
    d->iv.form_id = xstrdup(iv->form_id);
    d->iv.form_version = xstrdup(iv->form_version);
    d->iv.status = iv->status;
    d->iv.enumerator = xstrdup(iv->enumerator);
    d->iv.device_id = xstrdup(iv->device_id);
    d->iv.created = xstrdup(iv->created);
    d->iv.updated = xstrdup(iv->updated);
    d->iv.position = xstrdup(iv->position);
    d->iv.exported_at = xstrdup(iv->exported_at);
    d->iv.name = xstrdup(iv->name);
    return 0;
}

/* Natural order of names, the latest change first among equal names. */
static int listing_cmp(const void *pa, const void *pb)
{
    const session_listed *a = pa, *b = pb;
    int c = util_natural_cmp(a->name, b->name);
    if (c)
        return c;
    c = strcmp(b->iv.updated ? b->iv.updated : "",
               a->iv.updated ? a->iv.updated : "");
    return c ? c : strcmp(a->iv.uuid, b->iv.uuid);
}

const char *session_listed_state(store *st, const store_interview *iv)
{
    if (iv->status == STORE_DRAFT) {
        char *status = NULL, *comment = NULL;
        if (store_review_get(st, iv->uuid, &status, &comment) != 0)
            return NULL;
        int back = status && !strcmp(status, "returned");
        free(status);
        free(comment);
        return back ? N_("returned") : N_("draft");
    }
    char *kept = NULL;
    int gone = store_interview_superseded(st, iv->uuid, &kept);
    free(kept);
    if (gone)
        return gone < 0 ? NULL : N_("superseded");
    /* Changed here before the office's return of an earlier version
     * reached it: findable, its comment shown when it is opened. */
    char *comment = NULL;
    int earlier = 0;
    int back = store_returned_get(st, iv->uuid, &comment, &earlier);
    free(comment);
    return back < 0 ? NULL : back == 0 ? N_("returned earlier")
                                       : N_("complete");
}

int session_list(store *st, const char *form_id, session_listed **out,
                 size_t *n)
{
    listing_rows r = {NULL, 0, 0};
    *out = NULL;
    *n = 0;
    if (store_list_interviews(st, form_id, listing_collect, &r)) {
        session_list_free(r.v, r.n);
        return -1;
    }
    listing_forms fs = {NULL, 0, 0};
    int rc = 0;
    for (size_t i = 0; i < r.n; i++) {
        r.v[i].name = listing_name(st, listing_form(st, &fs, &r.v[i].iv),
                                   &r.v[i].iv);
        r.v[i].state = rc ? NULL : session_listed_state(st, &r.v[i].iv);
        if (!r.v[i].state)
            rc = -1;
    }
    listing_forms_free(&fs);
    if (rc != 0) {
        session_list_free(r.v, r.n);
        return -1;
    }
    if (r.n)
        qsort(r.v, r.n, sizeof *r.v, listing_cmp);
    *out = r.v;
    *n = r.n;
    return 0;
}

/* store_list_interviews callback (newest first): keep the first draft. */
static int listing_first_draft(void *ctx, const store_interview *iv)
{
    if (iv->status != STORE_DRAFT)
        return 0;
    listing_collect(ctx, iv);
    return 1;
}

int session_last_draft(store *st, session_listed *out)
{
    listing_rows r = {NULL, 0, 0};
    memset(out, 0, sizeof *out);
    int rc = store_list_interviews(st, NULL, listing_first_draft, &r);
    if (rc < 0 || r.n == 0) {
        session_list_free(r.v, r.n);
        return rc < 0 ? -1 : 1;
    }
    form *f = session_stored_form(st, r.v[0].iv.form_id,
                                  r.v[0].iv.form_version);
    r.v[0].name = listing_name(st, f, &r.v[0].iv);
    form_free(f);
    r.v[0].state = session_listed_state(st, &r.v[0].iv);
    *out = r.v[0];
    free(r.v);
    return 0;
}

void session_list_free(session_listed *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        store_interview_clear(&v[i].iv);
        free(v[i].name);
    }
    free(v);
}
