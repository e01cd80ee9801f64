/* simulate.c: random but valid interviews. */
#include "config.h"
#include "session/simulate.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Tries before a question is left unanswered. */
#define SIM_TRIES 200

void sim_seed(sim_rng *r, uint64_t seed)
{
    r->state = seed;
}

/* splitmix64: small, fast, well distributed; not for secrets. */
uint64_t sim_next(sim_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

long sim_range(sim_rng *r, long lo, long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long)(sim_next(r) % (uint64_t)(hi - lo + 1));
}

static const char *const sim_words[] = {
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung",
    "Hoàng Văn Em", "Vũ Thị Giang", "Đặng Văn Hải", "Bùi Thị Lan",
    "Đỗ Văn Minh", "Hồ Thị Ngọc", "Ngô Văn Phúc", "Dương Thị Quỳnh",
};

/* A random candidate for an integer: ranges that plausible constraints
 * (counts, ages, years, percentages) accept. */
static char *sim_integer(sim_rng *r, int attempt)
{
    switch (attempt % 5) {
    case 0: return xasprintf("%ld", sim_range(r, 0, 10));
    case 1: return xasprintf("%ld", sim_range(r, 1, 100));
    case 2: return xasprintf("%ld", sim_range(r, 1930, 2024));
    case 3: return xasprintf("%ld", sim_range(r, 2000, 2026));
    default: return xasprintf("%ld", sim_range(r, 0, 1000));
    }
}

/* A random subset (non-empty) of the offered choices, space-separated. */
static char *sim_select(sim_rng *r, const form *f, const form_question *fq,
                        const int *ix, size_t n, int multiple)
{
    const form_list *l = &f->lists[fq->list];
    if (!n)
        return NULL;
    if (!multiple)
        return xstrdup(l->choices[ix[sim_range(r, 0, (long)n - 1)]].value);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        if (sim_range(r, 0, 2) == 0) {
            if (b.len)
                sbuf_addc(&b, ' ');
            sbuf_add(&b, l->choices[ix[i]].value);
        }
    if (!b.len)
        sbuf_add(&b, l->choices[ix[sim_range(r, 0, (long)n - 1)]].value);
    return sbuf_detach(&b);
}

/* A random candidate answer for item it. */
static char *sim_candidate(session *s, sim_rng *r, session_item it, int attempt)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    const form_question *fq = &f->q[it.q];
    switch (fq->type) {
    case QT_INTEGER:
        return sim_integer(r, attempt);
    /* Draws are sequenced one per statement: the order in which a
     * compiler evaluates function arguments is unspecified, and the same
     * seed must give the same data whichever compiler built khaosat. */
    case QT_DECIMAL: {
        long frac = sim_range(r, 0, 9), whole = sim_range(r, 0, 100);
        return xasprintf("%ld.%ld", whole, frac);
    }
    case QT_DATE: {
        long d = sim_range(r, 1, 28), m = sim_range(r, 1, 12);
        long y = sim_range(r, 2020, 2026);
        return xasprintf("%04ld-%02ld-%02ld", y, m, d);
    }
    case QT_SELECT_ONE:
    case QT_SELECT_MULTIPLE: {
        int *ix;
        size_t n = inst_choices(in, it.fr, it.q, &ix);
        char *v = sim_select(r, f, fq, ix, n, fq->type == QT_SELECT_MULTIPLE);
        free(ix);
        return v;
    }
    case QT_TEXT:
        if (attempt % 2)
            return xasprintf("%ld", sim_range(r, 1, 999));
        return xstrdup(sim_words[sim_range(r, 0, (long)(sizeof sim_words / sizeof *sim_words) - 1)]);
    default:
        return NULL;
    }
}

/* Answer item it with the first candidate that passes its checks. */
static int sim_answer(session *s, sim_rng *r, session_item it)
{
    const form_question *fq = &inst_form(session_inst(s))->q[it.q];
    if (fq->read_only || fq->calculation || fq->type == QT_NOTE)
        return 0;
    /* Some optional questions stay unanswered, as in life, but not those
     * that other questions' logic reads. */
    if (!fq->required_always && !fq->required && !fq->ndependents &&
        sim_range(r, 0, 9) == 0)
        return 0;
    for (int attempt = 0; attempt < SIM_TRIES; attempt++) {
        char *v = sim_candidate(s, r, it, attempt);
        if (!v)
            return 0;
        int rc = session_answer(s, it, v, NULL);
        free(v);
        if (rc < 0)
            return -1;
        if (rc == INST_OK)
            return 0;
    }
    return 0;
}

/* Fill scope, questions in document order, entering repeats. */
static int sim_fill_scope(session *s, sim_rng *r, inst_frame *scope, int max_repeat)
{
    inst *in = session_inst(s);
    const form *f = inst_form(in);
    int rp = inst_frame_repeat(scope);
    int lo = rp < 0 ? 0 : rp + 1, hi = rp < 0 ? (int)f->nq : f->q[rp].end;
    for (int q = lo; q < hi; q++) {
        const form_question *fq = &f->q[q];
        if (fq->repeat != rp || !inst_relevant(in, scope, q))
            continue;
        session_item it = {q, scope};
        if (fq->type != QT_REPEAT) {
            if (fq->type != QT_GROUP && fq->type != QT_CALCULATE &&
                sim_answer(s, r, it))
                return -1;
            continue;
        }
        if (!fq->count) {
            long lo_n = fq->min_count > 0 ? fq->min_count : 1;
            long hi_n = fq->max_count > 0 ? fq->max_count : max_repeat;
            if (hi_n > max_repeat && max_repeat >= lo_n)
                hi_n = max_repeat;
            long want = sim_range(r, lo_n, hi_n);
            while ((long)inst_repeat_count(in, scope, q) < want)
                if (session_repeat_add(s, it, NULL))
                    return -1;
        }
        for (size_t k = 0; k < inst_repeat_count(in, scope, q); k++)
            if (sim_fill_scope(s, r, inst_repeat_get(in, scope, q, k), max_repeat))
                return -1;
    }
    return 0;
}

int sim_fill(session *s, sim_rng *r, int max_repeat)
{
    return sim_fill_scope(s, r, inst_root(session_inst(s)), max_repeat);
}
