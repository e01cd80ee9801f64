/* merge_keys.c: case keys.  A form's key questions (form.key, such as
 * village and household number) identify a case; two interviews of the
 * same form with the same key answers but different UUIDs are probably the
 * same household interviewed twice, and are flagged, never merged. */
#include "config.h"
#include "sync/merge_int.h"
#include "sync/bundle_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/canon.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

void merge_keys_free(merger *m)
{
    for (size_t i = 0; i < m->nkeys; i++) {
        free(m->keys[i].form_id);
        free(m->keys[i].version);
        free(m->keys[i].commune);
        for (size_t j = 0; j < m->keys[i].n; j++)
            free(m->keys[i].qid[j]);
        free(m->keys[i].qid);
        form_free(m->keys[i].f);
    }
    free(m->keys);
    m->keys = NULL;
    m->nkeys = 0;
}

/* The key questions of a stored form, read once per merger, its village
 * questions bound to the set-up of commune (a code of commune_setups) or,
 * NULL, to this database's own.  A form that no longer loads has none
 * (k->f NULL): its interviews are refused. */
static const form_keys *keys_of(merger *m, const char *form_id,
                                const char *version, const char *commune)
{
    if (!commune)
        commune = "";
    for (size_t i = 0; i < m->nkeys; i++)
        if (!strcmp(m->keys[i].form_id, form_id)
            && !strcmp(m->keys[i].version, version)
            && !strcmp(m->keys[i].commune, commune))
            return &m->keys[i];
    m->keys = xrealloc(m->keys, (m->nkeys + 1) * sizeof *m->keys);
    form_keys *k = &m->keys[m->nkeys++];
    memset(k, 0, sizeof *k);
    k->form_id = xstrdup(form_id);
    k->version = xstrdup(version);
    k->commune = xstrdup(commune);
    store_form sf;
    int got = store_load_form(m->st, form_id, version, &sf);
    k->unreadable = got < 0;
    if (got != 0)
        return k;
    diag_list d;
    diag_init(&d);
    form *f = form_load_string(sf.source, sf.source_len, form_id, &d);
    if (f && d.n == 0) {
        /* Village answers are checked against the set-up of their
         * commune, else against this database's own. */
        if (*commune)
            store_setup_bind_commune(m->st, f, commune);
        else
            store_setup_bind(m->st, f);
        k->qid = xcalloc(f->nkey ? f->nkey : 1, sizeof *k->qid);
        for (size_t i = 0; i < f->nkey; i++)
            k->qid[k->n++] = xstrdup(f->q[f->key[i]].id);
        k->f = f;
    } else {
        /* Forms are kept here only once they load (forms accept, the
         * office's own directory): one that no longer does was damaged. */
        form_free(f);
        k->unreadable = 2;
    }
    diag_free(&d);
    store_form_clear(&sf);
    return k;
}

/* The code of the set-up kept here for the commune interview uuid came
 * from (*code newly allocated, NULL when none is kept); for a new one,
 * the commune whose office reviewed it when the bundle forwards it from
 * a level above the communes, else this bundle's commune. */
static int setup_of(merger *m, const char *uuid, char **code)
{
    sqlite3_stmt *s = m->bs[BS_REVIEW_COMMUNE];
    char *by = NULL;
    if (s) {
        sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            by = xstrdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
    }
    int rc = store_interview_setup(m->st, uuid, by ? by
                                   : merge_commune(m), code);
    free(by);
    return rc ? merge_store_err(m) : 0;
}

static int check_answers(merger *m, const char *uuid, const char *form_id,
                         const char *version, const form_keys *k,
                         const merge_items *items);

int merge_check_values(merger *m, const char *uuid, const char *form_id,
                       const char *version, const merge_items *items)
{
    char *commune = NULL;
    if (setup_of(m, uuid, &commune) != 0)
        return -1;
    const form_keys *k = keys_of(m, form_id, version, commune);
    free(commune);
    return check_answers(m, uuid, form_id, version, k, items);
}

/* 1 when value, an answer of fq that is not a code of its list, is still
 * a village the commune's set-up had when the interview was answered:
 * fq takes the villages of a set-up (bound to one here), and value is
 * plain village codes (store_village_code_valid), each once, one for a
 * select_one, none a village of another commune's set-up kept here (one
 * commune's villages never validate another's answers).  Such an answer
 * is data, not an attack: it is taken, and the interview flagged
 * (session_villages_gone) for its office to return or to put the village
 * back.  0 when it is not; -1 with the merger's message. */
static int village_dropped_since(merger *m, const form_keys *k,
                                 const form_question *fq, const char *value)
{
    const char *from = form_meta(fq, "choices_from");
    if (!from || strcmp(from, FORM_SETUP_VILLAGES) != 0 || fq->list < 0
        || strcmp(k->f->lists[fq->list].name, FORM_SETUP_VILLAGES) != 0
        || strlen(value) > FORM_MAX_ANSWER)
        return 0;
    char *copy = xstrdup(value);
    size_t count = 0;
    int ok = *copy != '\0';
    for (char *t = copy; ok > 0 && t;) {
        char *sp = strchr(t, ' ');
        if (sp)
            *sp = '\0';
        ok = store_village_code_valid(t);
        /* Once: no earlier code the same (they are NUL-separated now). */
        for (char *e = copy; ok && e < t; e += strlen(e) + 1)
            ok = strcmp(e, t) != 0;
        if (ok && *k->commune) {
            int other = store_village_of_other_commune(m->st, k->commune, t);
            ok = other < 0 ? merge_store_err(m) : !other;
        }
        count++;
        t = sp ? sp + 1 : NULL;
    }
    free(copy);
    return ok < 0 ? -1 : ok && (fq->type != QT_SELECT_ONE || count == 1);
}

/* The answers and notes of interview uuid against k's form. */
static int check_answers(merger *m, const char *uuid, const char *form_id,
                         const char *version, const form_keys *k,
                         const merge_items *items)
{
    if (k->unreadable == 1)
        return merge_store_fail(m, _("reading form %s"), form_id);
    if (k->unreadable == 2) {
        free(m->err);
        m->err = xasprintf(_("%s: form %s version %s kept here does not load: "
                           "the database is damaged: restore it from a "
                           "backup (khaosat restore)"), store_path(m->st),
                           form_id, version);
        return -1;
    }
    if (!k->f) {
        /* No loadable form, no check: such answers are never taken. */
        sbuf b;
        sbuf_init(&b);
        sbuf_addf(&b, "%s: interview %s: form \"", bundle_path(m->b), uuid);
        ui_text_escape(&b, form_id, UI_TEXT_QUOTED);
        sbuf_add(&b, "\" version \"");
        ui_text_escape(&b, version, UI_TEXT_QUOTED);
        sbuf_add(&b, "\" does not load here, so its answers cannot be "
                 "checked; refusing the bundle");
        free(m->err);
        m->err = sbuf_detach(&b);
        return -1;
    }
    for (size_t i = 0; i < items->n; i++) {
        const merge_item *it = &items->v[i];
        int q;
        const char *why = bundle_item_problem(k->f, it->qid, it->value, &q);
        int taken = !why ? 1 : q >= 0
            ? village_dropped_since(m, k, &k->f->q[q], it->value) : 0;
        if (taken < 0)
            return -1;
        if (taken)
            continue;
        char *start = bundle_value_start(it->value);
        free(m->err);
        if (it->qid[0] == STORE_NOTE_MARK) {
            m->err = xasprintf(_("%s: interview %s: the note \"%s\" on "
                                 "question %s is %s; refusing the bundle"),
                               bundle_path(m->b), uuid, start, it->qid + 1,
                               _(why));
            free(start);
            return -1;
        }
        sbuf b;
        sbuf_init(&b);
        sbuf_addf(&b, "%s: interview %s, question %s: \"%s\" is %s; "
                  "refusing the bundle", bundle_path(m->b), uuid, it->qid,
                  start, why);
        free(start);
        m->err = sbuf_detach(&b);
        return -1;
    }
    return 0;
}

/* The interview's key, "village=01, hh_no=7" (newly allocated), or NULL
 * when the form has none or a key answer is missing. */
static int key_of(merger *m, const char *uuid, const form_keys *k,
                  char **out)
{
    *out = NULL;
    if (k->n == 0)
        return 0;
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < k->n; i++) {
        char *value;
        int rc = store_merge_key_answer(m->sm, uuid, k->qid[i], &value);
        if (rc != 0) {
            sbuf_free(&b);
            return rc > 0 ? 0
                : merge_store_fail(m, _("reading interview %s"), uuid);
        }
        /* Canonical, so that "08" from an older laptop is 8. */
        int q = form_find(k->f, k->qid[i]);
        char *c = canon_answer(q >= 0 ? k->f->q[q].type : QT_TEXT, value);
        sbuf_addf(&b, "%s%s=%s", i ? ", " : "", k->qid[i], c);
        free(c);
        free(value);
    }
    *out = sbuf_detach(&b);
    return 0;
}

/* Flagging the interviews with one key. */
typedef struct flagging {
    merger *m;
    const char *uuid, *form_id, *key;
    long flagged;             /* new pairs, as listed */
    int failed;               /* flagging failed (the merger's message) */
} flagging;

/* Taking the decisions kept for one pair. */
typedef struct kept_decisions {
    merger *m;
    const char *a, *b;
} kept_decisions;

/* store_later_fn: count a kept decision taken, note one dropped. */
static int kept_decision(void *ctx, int outcome, const store_later *k)
{
    kept_decisions *d = ctx;
    if (outcome == 0)
        d->m->c.decisions++;
    if (outcome == STORE_DECISION_BOUND) {
        d->m->c.decisions_bound++;
        merge_note_kept_decision(d->m, d->a, d->b, k);
    }
    return 0;
}

/* store_merge_row_fn: flag the pair of the interview and other. */
static int flag_pair(void *ctx, const char *const *col)
{
    flagging *f = ctx;
    const char *other = col[0];
    int first = strcmp(f->uuid, other) < 0, added = 0;
    if (store_merge_dup_add(f->m->sm, first ? f->uuid : other,
                            first ? other : f->uuid, f->form_id, f->key,
                            f->m->now, &added) != 0) {
        f->failed = 1;
        return merge_store_fail(f->m, _("flagging a possible duplicate"));
    }
    f->flagged += added;
    if (!added)
        return 0;
    /* The decisions of the offices below that came before the pair. */
    kept_decisions k = {f->m, first ? f->uuid : other,
                        first ? other : f->uuid};
    if (store_decisions_later_take_tx(f->m->st, k.a, k.b, kept_decision,
                                      &k) != 0) {
        f->failed = 1;
        return merge_store_err(f->m);
    }
    return 0;
}

/* Flag uuid and every other interview with the same key. */
static int flag_same(merger *m, const char *uuid, const char *form_id,
                     const char *key)
{
    flagging f = {m, uuid, form_id, key, 0, 0};
    if (store_merge_same_key(m->sm, form_id, key, uuid, flag_pair, &f))
        return f.failed ? -1
            : merge_store_fail(m, _("looking for duplicates of %s"), uuid);
    m->c.duplicates += f.flagged;
    return 0;
}

int merge_case_key(merger *m, const char *uuid, const char *form_id,
                   const char *version, const char *head)
{
    char *key;
    if (key_of(m, uuid, keys_of(m, form_id, version, NULL), &key) != 0)
        return -1;
    int rc = 0;
    if (store_merge_key_put(m->sm, uuid, form_id, key, head) != 0)
        rc = merge_store_fail(m, _("saving a case key"));
    /* A key that changed voids the pairs (and decisions) of the old one. */
    if (rc == 0 && store_merge_dup_rekey(m->sm, uuid, key) != 0)
        rc = merge_store_fail(m, _("judging the duplicates of %s again"), uuid);
    if (rc == 0 && key)
        rc = flag_same(m, uuid, form_id, key);
    free(key);
    return rc;
}

/* One interview whose key is out of date. */
typedef struct stale {
    char *uuid, *form_id, *version, *head;
} stale;

typedef struct stale_list {
    stale *v;
    size_t n;
} stale_list;

/* store_merge_row_fn: note one interview whose key is out of date. */
static int add_stale(void *ctx, const char *const *col)
{
    stale_list *l = ctx;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    stale *s = &l->v[l->n++];
    s->uuid = xstrdup(col[0]);
    s->form_id = xstrdup(col[1]);
    s->version = xstrdup(col[2]);
    s->head = xstrdup(col[3]);
    return 0;
}

int merge_refresh_keys(merger *m)
{
    stale_list l = {0};
    /* Pairs an older khaosat made across communes are not pairs. */
    int ret = store_duplicates_drop_foreign(m->st) == 0 ? 0
        : merge_store_fail(m, _("judging the duplicates again"));
    if (ret == 0 && store_merge_stale_keys(m->sm, add_stale, &l) != 0)
        ret = merge_store_fail(m, _("reading the case keys"));
    stale *v = l.v;
    size_t n = l.n;
    long dups = m->c.duplicates;
    for (size_t i = 0; i < n; i++) {
        if (ret == 0)
            ret = merge_case_key(m, v[i].uuid, v[i].form_id, v[i].version,
                                 v[i].head);
        free(v[i].uuid);
        free(v[i].form_id);
        free(v[i].version);
        free(v[i].head);
    }
    free(v);
    m->c.duplicates = dups;     /* only the bundle's interviews count */
    return ret;
}

int merge_one_kept(merger *m)
{
    long n = store_dups_one_kept_tx(m->st, NULL, NULL, NULL);
    if (n < 0)
        return merge_store_err(m);
    m->c.households += n;
    return 0;
}

int merger_rekey(merger *m, char **err)
{
    store_now_both(m->now, m->now_ms);
    int rc = store_begin(m->st);
    if (rc == 0 && (merge_refresh_keys(m) != 0 || merge_one_kept(m) != 0)) {
        store_rollback(m->st);
        *err = xstrdup(m->err ? m->err : store_errmsg(m->st));
        return -1;
    }
    if (rc == 0)
        rc = store_commit(m->st);
    if (rc != 0)
        *err = xstrdup(store_errmsg(m->st));
    return rc ? -1 : 0;
}
