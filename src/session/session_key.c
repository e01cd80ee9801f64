/* session_key.c: the interview's case key (the other interviews that
 * answer it alike) and the duplicate-key flags kept in its audit trail. */
#include "config.h"
#include "session/session_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/util.h"

/* Non-zero when q is one of the form's key questions. */
static int session_is_key(const session *s, int q)
{
    for (size_t i = 0; i < s->f->nkey; i++)
        if (s->f->key[i] == q)
            return 1;
    return 0;
}

long session_key_twins(session *s, session_item it, char ***out)
{
    *out = NULL;
    if (inst_frame_repeat(it.fr) >= 0 || !session_is_key(s, it.q))
        return 0;
    size_t n = s->f->nkey;
    const char **qids = xcalloc(n + 1, sizeof *qids);
    const char **vals = xcalloc(n + 1, sizeof *vals);
    size_t k = 0;
    for (; k < n; k++) {
        int q = s->f->key[k];
        vals[k] = s->f->q[q].repeat < 0 ? inst_get(s->in, inst_root(s->in), q)
                                        : NULL;
        qids[k] = s->f->q[q].id;
        if (!vals[k] || !*vals[k])
            break;
    }
    long found = 0;
    if (k == n) {
        found = store_find_same_answers(s->st, s->f->id, s->uuid, qids, vals,
                                        n, out);
        if (found < 0)
            session_fail(s);
    }
    free(qids);
    free(vals);
    return found;
}

/* store_load_audit callback: collect the duplicate-key flags. */
static int session_flag_cb(void *ctx, const store_audit *a)
{
    if (!strcmp(a->event, "duplicate-key") && a->new_value)
        sbuf_addf(ctx, "%s%s", ((sbuf *)ctx)->len ? "; " : "", a->new_value);
    return 0;
}

char *session_duplicate_flags(session *s)
{
    sbuf b;
    sbuf_init(&b);
    if (store_load_audit(s->st, s->uuid, session_flag_cb, &b) != 0 ||
        b.len == 0) {
        sbuf_free(&b);
        return NULL;
    }
    return sbuf_detach(&b);
}

int session_flag_duplicate(session *s, const char *other, const char *reason)
{
    char *r = canon_text(reason ? reason : "");
    char *detail = xasprintf("%s %s", other, r);
    int bad = store_audit_event(s->st, s->uuid, "duplicate-key", NULL, "",
                                detail);
    free(detail);
    free(r);
    return bad ? session_fail(s) : 0;
}
