/* sync_summary.c: what merging one bundle did, in words, for the command
 * (khaosat merge) and the merge screen alike, so that both say the same:
 * the counts, then each thing kept, taken back or left aside. */
#include "config.h"
#include "sync/sync.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"

/* A growing vector of lines. */
typedef struct lines {
    char **v;
    size_t n, cap;
} lines;

static void add(lines *l, char *line)
{
    l->v = util_grow(l->v, &l->cap, l->n + 2, sizeof *l->v);
    l->v[l->n++] = line;
    l->v[l->n] = NULL;
}

/* What a downstream bundle from the office did on a laptop. */
static void down_lines(lines *l, const sync_down_counts *c)
{
    add(l, xasprintf(_("from the office: %ld returned interview(s) "
                       "reopened, %ld review(s), %ld village(s), %ld "
                       "household(s), %ld new form version(s)"),
                     c->reopened, c->reviews, c->villages, c->households,
                     c->forms));
    for (const char *p = c->late; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        add(l, xstrndup(p, n));
        p += n + (nl ? 1 : 0);
    }
    if (c->settled)
        add(l, xasprintf(_("%ld decision(s) of the office on possible "
                           "duplicates kept"), c->settled));
    if (c->gone)
        add(l, xstrdup(c->gone));
    if (c->unsettled)
        add(l, xasprintf(_("%ld decision(s) of the office on possible "
                           "duplicates taken back: those interviews are "
                           "not superseded by them any more"),
                         c->unsettled));
    if (c->versions)
        add(l, xasprintf(_("form versions:\n%s"), c->versions));
    if (c->changes)
        add(l, xasprintf(_("what the new form version(s) change:\n%s"),
                         c->changes));
}

/* What the decisions on duplicates of an upstream bundle did. */
static void decision_lines(lines *l, const merge_counts *c)
{
    if (c->decisions)
        add(l, xasprintf(_("%ld decision(s) of the office that sent it on "
                           "possible duplicates kept (see khaosat "
                           "duplicates)"), c->decisions));
    if (c->decisions_open)
        add(l, xasprintf(_("%ld decision(s) of the office that sent it on "
                           "possible duplicates taken back: those pairs are "
                           "to decide again (see khaosat duplicates)"),
                         c->decisions_open));
    if (c->decisions_later)
        add(l, xasprintf(_("%ld decision(s) of the office that sent it on "
                           "pairs not flagged here yet kept for later: each "
                           "is taken when its pair's interviews are both "
                           "here"), c->decisions_later));
    if (c->households)
        add(l, xasprintf(_("%ld household(s) of possible duplicates had no "
                           "interview kept, or more than one, with the "
                           "decisions here and this bundle's: each now keeps "
                           "the interview its newest decision keeps, the "
                           "others superseded (see khaosat duplicates)"),
                         c->households));
}

/* The interviews a merge took with a village the set-up dropped since
 * they were answered: how many, what to do, then one entry each. */
static void gone_lines(lines *l, const sync_bundle_result *r)
{
    add(l, xasprintf(_("%ld interview(s) answer a village no longer in the "
                       "commune's set-up, taken as answered: the enumerator "
                       "chooses another once the interview is returned (a "
                       "complete one is returned by the merge; see khaosat "
                       "reviews), or the office puts the village back "
                       "(khaosat setup villages)"), r->counts.villages_gone));
    for (const char *p = r->gone; p && *p;) {
        size_t n = strcspn(p, "\n");
        add(l, xstrndup(p, n));
        p += n;
        p += *p == '\n';
    }
}

/* What an upstream bundle (from a laptop or an office below) did. */
static void up_lines(lines *l, const sync_bundle_result *r)
{
    const merge_counts *c = &r->counts;
    add(l, xasprintf(_("added %ld, updated %ld, unchanged %ld, conflicts "
                       "%ld, duplicates %ld"), c->added, c->updated,
                     c->unchanged, c->conflicts, c->duplicates));
    if (c->other_commune)
        add(l, xasprintf(_("%ld interview(s) of another commune than this "
                           "bundle speaks for not taken (each named)"),
                         c->other_commune));
    if (c->reviews)
        add(l, xasprintf(_("%ld review(s) of the office that sent it kept "
                           "(see khaosat reviews)"), c->reviews));
    if (c->reviews_later)
        add(l, xasprintf(_("%ld review(s) of interviews or revisions not "
                           "here yet kept for later: each is taken when the "
                           "revision it judged arrives"), c->reviews_later));
    if (c->setups)
        add(l, xasprintf(_("the set-up of %ld commune(s) kept (see khaosat "
                           "setup --communes)"), c->setups));
    if (c->reused && r->reused_device)
        add(l, xasprintf(_("device %s numbered %ld audit row(s) again "
                           "(numbers %lld to %lld), as a laptop restored "
                           "from a backup does: both rows of each number are "
                           "kept and travel on; check that laptop's data"),
                         r->reused_device, c->reused, c->reused_lo,
                         c->reused_hi));
    if (c->setups_other)
        add(l, xasprintf(_("the set-up of %ld commune(s) NOT kept: it has "
                           "the sequence number of the set-up kept here but "
                           "other villages or households (its office was "
                           "restored from a backup?); that office changes "
                           "its set-up again (khaosat setup) and sends a new "
                           "bundle"), c->setups_other));
    decision_lines(l, c);
    /* The merger's notes say "BUNDLE: what": the bundle is named once,
     * by whoever shows the lines. */
    size_t plen = strlen(r->path);
    for (size_t i = 0; i < r->nnotes; i++) {
        const char *t = r->notes[i];
        if (!strncmp(t, r->path, plen) && !strncmp(t + plen, ": ", 2))
            t += plen + 2;
        add(l, xstrdup(t));
    }
    if (c->returned)
        add(l, xasprintf(_("%ld complete interview(s) break their own "
                           "checks once merged: returned to the enumerator "
                           "(see khaosat review)"), c->returned));
    if (c->villages_gone)
        gone_lines(l, r);
}

char **sync_merged_lines(const sync_bundle_result *r)
{
    lines l = {NULL, 0, 0};
    add(&l, NULL);
    l.n = 0;
    if (r->outcome == SYNC_MERGED && r->down)
        down_lines(&l, &r->down_counts);
    else if (r->outcome == SYNC_MERGED)
        up_lines(&l, r);
    return l.v;
}

void sync_lines_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}
