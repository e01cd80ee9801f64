/* check_integrity.c: no edit corrupts an interview (issue "no edit can
 * corrupt an interview"), at the session layer that the screen and the
 * commands share: rosters shrunk only after asking and never leaving
 * answers behind, complete interviews corrected only after reopening,
 * canonical numbers, keys checked at entry, text in NFC, required answers.
 * Each test compares the interview in memory, the database and a resumed
 * draft. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "core/canon.h"
#include "core/form.h"
#include "session/session.h"
#include "store/store.h"
#include "core/util.h"

static const char hh_yaml[] =
    "form:\n"
    "  id: hh\n"
    "  version: \"1\"\n"
    "  title: {vi: \"Hộ\", en: \"Household\"}\n"
    "  languages: [vi, en]\n"
    "  key: [village, hh_no]\n"
    "choices:\n"
    "  sex:\n"
    "    - {value: \"1\", label: {vi: Nam, en: Male}}\n"
    "    - {value: \"2\", label: {vi: Nữ, en: Female}}\n"
    "  net:\n"
    "    - {value: fixed, label: {vi: Cố định, en: Fixed}}\n"
    "    - {value: mobile, label: {vi: Di động, en: Mobile}}\n"
    "questions:\n"
    "  - id: village\n"
    "    type: text\n"
    "    label: {vi: Thôn, en: Village}\n"
    "    required: true\n"
    "  - id: hh_no\n"
    "    type: integer\n"
    "    label: {vi: Số hộ, en: Household number}\n"
    "    required: true\n"
    "  - id: area\n"
    "    type: decimal\n"
    "    label: {vi: Diện tích, en: Area}\n"
    "  - id: hh_size\n"
    "    type: integer\n"
    "    label: {vi: Số người, en: Household size}\n"
    "    required: true\n"
    "    constraint: \". >= 1 and . <= 20\"\n"
    "  - id: members\n"
    "    type: repeat\n"
    "    label: {vi: Thành viên, en: Members}\n"
    "    count: \"${hh_size}\"\n"
    "    questions:\n"
    "      - id: m_name\n"
    "        type: text\n"
    "        label: {vi: Tên, en: Name}\n"
    "        required: true\n"
    "      - id: m_sex\n"
    "        type: select_one sex\n"
    "        label: {vi: Giới tính, en: Sex}\n"
    "        required: true\n"
    "      - id: m_birth_year\n"
    "        type: integer\n"
    "        label: {vi: Năm sinh, en: Year of birth}\n"
    "  - id: n_online\n"
    "    type: integer\n"
    "    label: {vi: Số người mua trực tuyến, en: People who buy online}\n"
    "    constraint: \". <= ${hh_size}\"\n"
    "  - id: online_spend\n"
    "    type: decimal\n"
    "    label: {vi: Chi tiêu, en: Spending}\n"
    "    relevant: \"${n_online} > 0\"\n"
    "    constraint: \". <= 100\"\n"
    "  - id: internet\n"
    "    type: select_multiple net\n"
    "    label: {vi: Internet, en: Internet}\n"
    "  - id: visit_date\n"
    "    type: date\n"
    "    label: {vi: Ngày, en: Date}\n";

static form *f;
static store *st;
static char *dbpath;

static void setup(void)
{
    diag_list d;
    diag_init(&d);
    f = form_load_string(hh_yaml, sizeof hh_yaml - 1, "hh.yaml", &d);
    ck_assert_msg(f && d.n == 0, "test form does not load");
    diag_free(&d);
    dbpath = check_tmpdb_new("check-integrity");
    char *err = NULL;
    ck_assert_msg(store_open(dbpath, &st, &err) == 0, "store_open: %s", err);
}

static void teardown(void)
{
    store_close(st);
    form_free(f);
    check_tmpdb_free(dbpath);
}

static session_item item(inst_frame *fr, const char *id)
{
    session_item it = {form_find(f, id), fr};
    ck_assert_int_ge(it.q, 0);
    return it;
}

static void ok(session *s, inst_frame *fr, const char *id, const char *v)
{
    char *msg = NULL;
    int rc = session_answer(s, item(fr, id), v, &msg);
    ck_assert_msg(rc == INST_OK, "%s = '%s': %d %s", id, v, rc, msg ? msg : "");
    free(msg);
}

/* The stored answers of interview uuid, "qid@path=value;" sorted by path
 * and question, as the database holds them. */
static int stored_cb(void *ctx, const char *qid, const char *path,
                     const char *v)
{
    sbuf_addf(ctx, "%s@%s=%s;", qid, path, v);
    return 0;
}

static char *stored(const char *uuid)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_load_answers(st, uuid, stored_cb, &b), 0);
    return sbuf_detach(&b);
}

/* The stored value of qid at path, newly allocated, or NULL. */
static char *stored_value(const char *uuid, const char *qid, const char *path)
{
    char *all = stored(uuid);
    char *key = xasprintf("%s@%s=", qid, path);
    char *p = strstr(all, key), *v = NULL;
    if (p && (p == all || p[-1] == ';')) {
        p += strlen(key);
        v = xstrndup(p, strcspn(p, ";"));
    }
    free(key);
    free(all);
    return v;
}

/* The entered answers of an interview in memory, written out the same
 * way as stored(): what a resumed draft must give back. */
static int row_cmp(const void *a, const void *b)
{
    const inst_row *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : strcmp(x->qid, y->qid);
}

static char *in_memory(session *s)
{
    inst_rows rows = {NULL, 0, 0};
    inst_rows_dump(session_inst(s), &rows);
    size_t n = 0;
    for (size_t i = 0; i < rows.n; i++)
        if (rows.v[i].qid)
            rows.v[n++] = rows.v[i];
        else {
            free((char *)rows.v[i].path);
        }
    rows.n = n;
    if (n)
        qsort(rows.v, n, sizeof *rows.v, row_cmp);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        sbuf_addf(&b, "%s@%s=%s;", rows.v[i].qid, rows.v[i].path,
                  rows.v[i].value);
    inst_rows_free(&rows);
    return sbuf_detach(&b);
}

/* Screen (memory), database and a resumed draft hold the same answers. */
static void all_agree(session *s)
{
    char *mem = in_memory(s), *db = stored(session_uuid(s));
    ck_assert_str_eq(mem, db);
    session *r;
    ck_assert_int_eq(session_resume(st, f, session_uuid(s), 0, &r, NULL), 0);
    char *again = in_memory(r);
    ck_assert_str_eq(mem, again);
    session_free(r);
    free(again);
    free(db);
    free(mem);
}

static inst_frame *member(session *s, size_t i)
{
    inst *in = session_inst(s);
    return inst_repeat_get(in, inst_root(in), form_find(f, "members"), i);
}

/* A household of three named members. */
static session *three_members(void)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "enum", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    ok(s, root, "village", "Bản Mòng");
    ok(s, root, "hh_no", "17");
    ok(s, root, "hh_size", "3");
    const char *names[] = {"Lò Văn Một", "Lò Thị Hai", "Lò Văn A"};
    for (size_t i = 0; i < 3; i++) {
        ok(s, member(s, i), "m_name", names[i]);
        ok(s, member(s, i), "m_sex", i == 1 ? "2" : "1");
        ok(s, member(s, i), "m_birth_year", "2012");
    }
    return s;
}

static long count_audit_clears;
static int audit_cb(void *ctx, const store_audit *a)
{
    if (!strcmp(a->event, "change") && a->path && !strcmp(a->path, ctx) &&
        !a->new_value)
        count_audit_clears++;
    return 0;
}

/* 1. A lower count asks, naming the members; yes deletes their answers in
 * the same change (audited), and a new member starts empty. */
START_TEST(shrinking_a_roster_asks_and_leaves_nothing_behind)
{
    session *s = three_members();
    const char *u = session_uuid(s);
    inst_frame *root = inst_root(session_inst(s));
    char *before = stored(u), *msg = NULL;
    ck_assert_int_eq(session_answer(s, item(root, "hh_size"), "2", &msg),
                     SESSION_REMOVES);
    ck_assert_ptr_nonnull(strstr(msg, "member 3, Lò Văn A, and 3 answer"));
    free(msg);
    /* Asking changed nothing: memory, database and resume agree. */
    char *after = stored(u);
    ck_assert_str_eq(before, after);
    free(after);
    ck_assert_uint_eq(inst_repeat_count(session_inst(s), root,
                                        form_find(f, "members")), 3);
    all_agree(s);

    ck_assert_int_eq(session_answer_removing(s, item(root, "hh_size"), "2",
                                             NULL), INST_OK);
    char *v = stored_value(u, "m_name", "members[3]");
    ck_assert_ptr_null(v);
    v = stored_value(u, "m_sex", "members[3]");
    ck_assert_ptr_null(v);
    count_audit_clears = 0;
    ck_assert_int_eq(store_load_audit(st, u, audit_cb, "members[3]"), 0);
    ck_assert_int_eq(count_audit_clears, 3);
    all_agree(s);

    /* Back to three: member 3 is a new, empty person. */
    ok(s, root, "hh_size", "3");
    ck_assert_ptr_null(inst_get(session_inst(s), member(s, 2),
                                form_find(f, "m_sex")));
    ok(s, member(s, 2), "m_name", "Lò Thị Mới");
    v = stored_value(u, "m_sex", "members[3]");
    ck_assert_ptr_null(v);
    all_agree(s);

    /* Un-answering the count asks too, for every member. */
    ck_assert_int_eq(session_answer(s, item(root, "hh_size"), "", &msg),
                     SESSION_REMOVES);
    ck_assert_ptr_nonnull(strstr(msg, "member 1, Lò Văn Một"));
    ck_assert_ptr_nonnull(strstr(msg, "member 3, Lò Thị Mới"));
    free(msg);
    ck_assert_int_eq(session_answer_removing(s, item(root, "hh_size"), "",
                                             NULL), INST_OK);
    char *left = stored(u);
    ck_assert_ptr_null(strstr(left, "members["));
    free(left);
    all_agree(s);
    free(before);
    session_free(s);
}
END_TEST

/* 2. A complete interview changes only after reopening (audited), and is
 * complete again only when every check passes. */
START_TEST(complete_interviews_are_corrected_through_reopening)
{
    session *s = three_members();
    const char *u = session_uuid(s);
    inst_frame *root = inst_root(session_inst(s));
    ok(s, root, "n_online", "2");
    ck_assert_int_eq(session_finalise(s), 0);
    ck_assert(session_is_complete(s));
    char *before = stored(u), *msg = NULL;
    ck_assert_int_eq(session_answer(s, item(root, "hh_size"), "1", &msg),
                     SESSION_LOCKED);
    ck_assert_ptr_nonnull(strstr(msg, "reopen"));
    free(msg);
    inst_frame *m;
    ck_assert_int_ne(session_repeat_add(s, item(root, "members"), &m), 0);
    char *after = stored(u);
    ck_assert_str_eq(before, after);
    free(after);
    free(before);

    /* A resumed complete interview is read-only as well. */
    session *r;
    ck_assert_int_eq(session_resume(st, f, u, 0, &r, NULL), 0);
    ck_assert(session_is_complete(r));
    ck_assert_int_eq(session_answer(r, item(inst_root(session_inst(r)),
                                            "hh_no"), "18", NULL),
                     SESSION_LOCKED);
    session_free(r);

    ck_assert_int_eq(session_reopen(s), 0);
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, u, &iv), 0);
    ck_assert_int_eq(iv.status, STORE_DRAFT);
    store_interview_clear(&iv);
    ck_assert_int_eq(session_answer_removing(s, item(root, "hh_size"), "1",
                                             NULL), INST_OK);
    /* n_online = 2 > hh_size = 1 now: finalising refuses. */
    ck_assert_int_gt(session_finalise(s), 0);
    ck_assert(!session_is_complete(s));
    ck_assert_int_eq(store_get_interview(st, u, &iv), 0);
    ck_assert_int_eq(iv.status, STORE_DRAFT);
    store_interview_clear(&iv);
    ok(s, root, "n_online", "1");
    ck_assert_int_eq(session_finalise(s), 0);
    all_agree(s);
    session_free(s);
}
END_TEST

/* 3. Numbers are stored in one canonical form. */
START_TEST(numbers_are_stored_canonically)
{
    struct { const char *in, *out; int dec; } cases[] = {
        {"007", "7", 0}, {" 12 ", "12", 0}, {"+5", "5", 0}, {"-0", "0", 0},
        {"000", "0", 0}, {"-08", "-8", 0}, {"85.50", "85.5", 1},
        {"85,5", "85.5", 1}, {"3.0", "3", 1}, {",5", "0.5", 1},
        {"-0.0", "0", 1}, {"0012,340", "12.34", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *c = canon_number(cases[i].in, cases[i].dec);
        ck_assert_msg(c && !strcmp(c, cases[i].out), "%s -> %s, not %s",
                      cases[i].in, c ? c : "(null)", cases[i].out);
        free(c);
    }
    const char *bad[] = {"", " ", "1e3", "12a", "1.5", "1,5", "--1", "."};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *c = canon_number(bad[i], 0);
        ck_assert_msg(!c, "'%s' taken as integer %s", bad[i], c);
    }
    ck_assert_ptr_null(canon_number("1.2.3", 1));
    ck_assert_ptr_null(canon_number("1,2,3", 1));

    session *s;
    ck_assert_int_eq(session_new(st, f, "enum", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    ok(s, root, "hh_no", "007");
    ok(s, root, "area", "85,50");
    char *v = stored_value(session_uuid(s), "hh_no", "");
    ck_assert_str_eq(v, "7");
    free(v);
    v = stored_value(session_uuid(s), "area", "");
    ck_assert_str_eq(v, "85.5");
    free(v);
    /* Refused input changes nothing and says why. */
    char *msg = NULL;
    ck_assert_int_eq(session_answer(s, item(root, "area"), "85,5,1", &msg),
                     INST_BAD_VALUE);
    ck_assert_ptr_nonnull(msg);
    free(msg);
    v = stored_value(session_uuid(s), "area", "");
    ck_assert_str_eq(v, "85.5");
    free(v);
    all_agree(s);
    session_free(s);
}
END_TEST

/* 4. The same key twice on one laptop is found when the last key question
 * is answered, "08" and "8" alike; going on is recorded with the reason. */
START_TEST(same_key_is_found_at_entry)
{
    session *a, *b;
    ck_assert_int_eq(session_new(st, f, "enum", 0, &a, NULL), 0);
    ok(a, inst_root(session_inst(a)), "village", "Bản Mòng");
    ok(a, inst_root(session_inst(a)), "hh_no", "8");
    ck_assert_int_eq(session_new(st, f, "enum", 0, &b, NULL), 0);
    inst_frame *root = inst_root(session_inst(b));
    char **twins;
    /* NFD spelling of the same village (combining marks). */
    ok(b, root, "village", "Ba\xcc\x89n Mo\xcc\x80ng");
    ck_assert_int_eq(session_key_twins(b, item(root, "village"), &twins), 0);
    ok(b, root, "hh_no", "08");
    ck_assert_int_eq(session_key_twins(b, item(root, "hh_no"), &twins), 1);
    ck_assert_str_eq(twins[0], session_uuid(a));
    /* Not a key question: nothing to look for. */
    char **none;
    ck_assert_int_eq(session_key_twins(b, item(root, "area"), &none), 0);
    ck_assert_ptr_null(session_duplicate_flags(b));
    ck_assert_int_eq(session_flag_duplicate(b, twins[0], "  hộ tách  "), 0);
    char *flags = session_duplicate_flags(b);
    char *want = xasprintf("%s hộ tách", twins[0]);
    ck_assert_str_eq(flags, want);
    free(want);
    free(flags);
    free(twins[0]);
    free(twins);
    ok(b, root, "hh_no", "9");
    ck_assert_int_eq(session_key_twins(b, item(root, "hh_no"), &twins), 0);
    session_free(a);
    session_free(b);
}
END_TEST

/* 5. Text is stored in NFC, however it was typed. */
START_TEST(text_is_stored_in_nfc)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "Nguye\xcc\x82\xcc\x83n", 0, &s,
                                 NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    /* "Nguyễn" with e + circumflex + tilde as combining marks. */
    ok(s, root, "village", " Nguye\xcc\x82\xcc\x83n ");
    char *v = stored_value(session_uuid(s), "village", "");
    ck_assert_str_eq(v, "Nguy\xe1\xbb\x85n");
    free(v);
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, session_uuid(s), &iv), 0);
    ck_assert_str_eq(iv.enumerator, "Nguy\xe1\xbb\x85n");
    store_interview_clear(&iv);
    /* Names kept in settings too (enumerator, commune, card). */
    ck_assert_int_eq(store_setting_set(st, "commune", "Ta\xcc\x82n La\xcc\xa3\xcc\x82p "), 0);
    char *commune = NULL;
    ck_assert_int_eq(store_setting_get(st, "commune", &commune), 0);
    ck_assert_str_eq(commune, "T\xc3\xa2n L\xe1\xba\xadp");
    free(commune);
    char *t = canon_text("\xff\xfe bad");
    ck_assert_str_eq(t, "\xff\xfe bad");   /* invalid UTF-8 kept as it is */
    free(t);
    /* One commune however its name is typed: case, spacing, marks. */
    char *k1 = canon_name_key("X\xc3\xa3 B\xc3\xacnh An");
    char *k2 = canon_name_key("  xa\xcc\x83 \n BI\xcc\x80NH\xc2\xa0 an ");
    char *k3 = canon_name_key("X\xc3\xa3 B\xc3\xacnh Anh");
    ck_assert_str_eq(k1, "x\xc3\xa3 b\xc3\xacnh an");
    ck_assert_str_eq(k1, k2);
    ck_assert_str_ne(k1, k3);
    free(k1);
    free(k2);
    free(k3);
    t = canon_line(" Ta\xcc\x82\xcc\xa3p hu\xcc\x81n\r\n  Zalo ");
    ck_assert_str_eq(t, "T\xe1\xba\xadp h\xc3\xban Zalo");
    free(t);
    all_agree(s);
    session_free(s);
}
END_TEST

/* 6. A required question left empty says so; leaving (freeing the session
 * without finishing, as a closed terminal does) keeps every confirmed
 * answer. */
START_TEST(required_and_leaving)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "enum", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    char *msg = NULL;
    ck_assert_int_eq(inst_check_value(session_inst(s), root,
                                      form_find(f, "village"), "", &msg),
                     INST_REQUIRED);
    ck_assert_ptr_nonnull(msg);
    free(msg);
    ok(s, root, "village", "Bản Mòng");
    ok(s, root, "hh_no", "3");
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    char *mem = in_memory(s);
    session_free(s);
    ck_assert_int_eq(session_resume(st, f, uuid, 0, &s, NULL), 0);
    char *again = in_memory(s);
    ck_assert_str_eq(mem, again);
    free(mem);
    free(again);
    ck_assert_int_gt(session_finalise(s), 0);
    session_free(s);
}
END_TEST

/* The randomised test: a seeded walk of thousands of steps. */
typedef struct rnd {
    unsigned long long x;
} rnd;

static unsigned rnd_next(rnd *r, unsigned n)
{
    r->x = r->x * 6364136223846793005ULL + 1442695040888963407ULL;
    return n ? (unsigned)((r->x >> 33) % n) : 0;
}

/* Every item of scope and of the members inside it. */
static void walk_items(session *s, inst_frame *scope, session_item **v,
                       size_t *n)
{
    session_item *items;
    size_t k = session_items(s, scope, &items);
    const form *fm = inst_form(session_inst(s));
    for (size_t i = 0; i < k; i++) {
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        (*v)[(*n)++] = items[i];
        if (fm->q[items[i].q].type != QT_REPEAT)
            continue;
        inst *in = session_inst(s);
        for (size_t m = 0; m < inst_repeat_count(in, scope, items[i].q); m++)
            walk_items(s, inst_repeat_get(in, scope, items[i].q, m), v, n);
    }
    free(items);
}

/* A value an enumerator might type for item it: mostly sensible, with
 * leading zeros, decimal commas, NFD text and some refusals. */
static char *random_value(session *s, rnd *r, session_item it)
{
    inst *in = session_inst(s);
    const form_question *fq = &inst_form(in)->q[it.q];
    static const char *texts[] = {"Lò Văn A", "Nguye\xcc\x82\xcc\x83n Thị B",
                                  " Trần  C ", "0912345678", "x"};
    if (rnd_next(r, 10) == 0)
        return xstrdup("");
    switch (fq->type) {
    case QT_SELECT_ONE:
    case QT_SELECT_MULTIPLE: {
        int *ix;
        size_t n = inst_choices(in, it.fr, it.q, &ix);
        const form_list *l = &inst_form(in)->lists[fq->list];
        char *v = n ? xstrdup(l->choices[ix[rnd_next(r, (unsigned)n)]].value)
                    : xstrdup("99");
        free(ix);
        return v;
    }
    case QT_INTEGER:
        if (rnd_next(r, 3) == 0)
            return xasprintf("%u", 1950 + rnd_next(r, 80));
        return xasprintf(rnd_next(r, 2) ? "0%u" : "%u", rnd_next(r, 8));
    case QT_DECIMAL:
        return xasprintf("%u,%u0", rnd_next(r, 100), rnd_next(r, 10));
    case QT_DATE:
        return xasprintf("%u-%02u-%02u", 2023 + rnd_next(r, 3),
                         1 + rnd_next(r, 12), 1 + rnd_next(r, 28));
    default:
        return xstrdup(texts[rnd_next(r, 5)]);
    }
}

/* Sorted "qid@path=value;" of rows (answers only). */
static char *rows_text(inst_rows *rows)
{
    size_t n = 0;
    for (size_t i = 0; i < rows->n; i++)
        if (rows->v[i].qid)
            rows->v[n++] = rows->v[i];
        else
            free((char *)rows->v[i].path);
    rows->n = n;
    if (n)      /* qsort wants a non-null base even for nothing */
        qsort(rows->v, n, sizeof *rows->v, row_cmp);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        sbuf_addf(&b, "%s@%s=%s;", rows->v[i].qid, rows->v[i].path,
                  rows->v[i].value);
    return sbuf_detach(&b);
}

static int load_row(void *ctx, const char *qid, const char *path,
                    const char *v)
{
    inst_rows_add(ctx, qid, path, v, 0);
    return 0;
}

/* The stored interview equals the one in memory and a fresh replay of the
 * stored answers through the engine; a complete one breaks no rule. */
static void check_step(session *s, const form *hf, unsigned long step)
{
    inst_rows rows = {NULL, 0, 0};
    ck_assert_int_eq(store_load_answers(st, session_uuid(s), load_row,
                                        &rows), 0);
    inst *replay = inst_restore(hf, 0, 0, rows.v, rows.n);
    char *db = rows_text(&rows);
    inst_rows_free(&rows);
    inst_rows_dump(session_inst(s), &rows);
    char *mem = rows_text(&rows);
    inst_rows_free(&rows);
    inst_rows_dump(replay, &rows);
    char *again = rows_text(&rows);
    inst_rows_free(&rows);
    inst_free(replay);
    ck_assert_msg(!strcmp(db, mem), "step %lu: database %s, memory %s", step,
                  db, mem);
    ck_assert_msg(!strcmp(mem, again), "step %lu: replay %s", step, again);
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, session_uuid(s), &iv), 0);
    ck_assert_int_eq(iv.status == STORE_COMPLETE, session_is_complete(s));
    if (iv.status == STORE_COMPLETE) {
        session *r;
        ck_assert_int_eq(session_resume(st, hf, session_uuid(s), 0, &r,
                                        NULL), 0);
        session_problem *p;
        size_t np = session_problems(r, &p);
        ck_assert_msg(np == 0, "step %lu: complete with %zu problem(s): %s",
                      step, np, np ? p[0].msg : "");
        session_problems_free(p, np);
        session_free(r);
    }
    store_interview_clear(&iv);
    free(db);
    free(mem);
    free(again);
}

/* What the walk went through, so that the test knows it saw each case. */
static struct {
    long finalised, reopened, removed, kept, locked;
} seen;

/* Answer the questions that stop finalising, one at a time (each answer
 * may change which questions there are). */
static void fill_problems(session *s, rnd *r)
{
    for (int k = 0; k < 60; k++) {
        session_problem *p;
        size_t np = session_problems(s, &p);
        if (np == 0) {
            session_problems_free(p, np);
            return;
        }
        session_item it = p[rnd_next(r, (unsigned)np)].item;
        session_problems_free(p, np);
        if (inst_form(session_inst(s))->q[it.q].type == QT_REPEAT)
            return;
        for (int tries = 0; tries < 8; tries++) {
            char *v = random_value(s, r, it);
            int rc = *v ? session_answer(s, it, v, NULL) : -2;
            free(v);
            if (rc == INST_OK || rc == SESSION_LOCKED)
                break;
        }
    }
}

/* One random step: answer, clear, change the count, move, finalise or
 * reopen, as an enumerator going back and forth would. */
static void random_step(session *s, rnd *r)
{
    session_item *items = NULL;
    size_t n = 0;
    walk_items(s, inst_root(session_inst(s)), &items, &n);
    session_item it = items[rnd_next(r, (unsigned)n)];
    const form *hf = inst_form(session_inst(s));
    unsigned what = rnd_next(r, 20);
    char *v = NULL;
    if (what == 0)
        seen.finalised += !session_is_complete(s) && session_finalise(s) == 0;
    else if (what == 1) {
        seen.reopened += session_is_complete(s);
        ck_assert_int_eq(session_reopen(s), 0);
    }
    else if (what == 2)
        session_enter(s, it);     /* back and forth: the resume point */
    else if (what == 19)
        fill_problems(s, r);
    else if (what <= 5) {
        it = (session_item){form_find(hf, "hh_size"), inst_root(session_inst(s))};
        v = rnd_next(r, 6) ? xasprintf("%u", rnd_next(r, 5)) : xstrdup("");
    } else if (what <= 7 && hf->q[it.q].type != QT_REPEAT)
        v = xstrdup("");
    else if (hf->q[it.q].type != QT_REPEAT)
        v = random_value(s, r, it);
    if (v) {
        int rc = session_answer(s, it, v, NULL);
        seen.locked += rc == SESSION_LOCKED;
        if (rc == SESSION_REMOVES && rnd_next(r, 2))
            seen.removed += session_answer_removing(s, it, v, NULL) == INST_OK;
        else
            seen.kept += rc == SESSION_REMOVES;
    }
    free(v);
    free(items);
}

START_TEST(random_edits_never_corrupt_an_interview)
{
    diag_list d;
    diag_init(&d);
    form *hf = form_load_file(FORMSSRCDIR "/household.yaml", &d);
    ck_assert_msg(hf && d.n == 0, "household.yaml does not load");
    diag_free(&d);
    rnd r = {20261201};
    unsigned long steps = 0;
    for (int round = 0; round < 4; round++) {
        session *s;
        ck_assert_int_eq(session_new(st, hf, "enum", 0, &s, NULL), 0);
        for (int i = 0; i < 1000; i++) {
            random_step(s, &r);
            check_step(s, hf, ++steps);
        }
        /* And once more after resuming, as after a restart. */
        char uuid[37];
        strcpy(uuid, session_uuid(s));
        session_free(s);
        ck_assert_int_eq(session_resume(st, hf, uuid, 0, &s, NULL), 0);
        check_step(s, hf, ++steps);
        session_free(s);
    }
    ck_assert_uint_eq(steps, 4004);
    ck_assert_msg(seen.finalised > 0 && seen.reopened > 0 && seen.removed > 0
                  && seen.kept > 0 && seen.locked > 0,
                  "the walk missed a case: finalised %ld, reopened %ld, "
                  "removed %ld, kept %ld, locked %ld", seen.finalised,
                  seen.reopened, seen.removed, seen.kept, seen.locked);
    form_free(hf);
}
END_TEST

/* Answers left beyond a roster's count (by an older release's shrink, or
 * a merge) never come back as a new member's: resuming drops them
 * (audited), and so does growing the roster. */
START_TEST(stray_answers_beyond_the_count_never_come_back)
{
    session *s = three_members();
    char u[37];
    strcpy(u, session_uuid(s));
    /* What the old shrink bug left: answers of a member 4 with hh_size 3. */
    ck_assert_int_eq(store_save_answer(st, u, "m_name", "members[4]",
                                       "Lò Văn Cũ"), 0);
    ck_assert_int_eq(store_save_answer(st, u, "m_sex", "members[4]", "1"), 0);
    /* Growing the open session's roster gives an empty member 4. */
    inst_frame *root = inst_root(session_inst(s));
    ok(s, root, "hh_size", "4");
    char *v = stored_value(u, "m_name", "members[4]");
    ck_assert_ptr_null(v);
    all_agree(s);
    session_free(s);

    /* Left again behind the count, then resumed: dropped on opening. */
    ck_assert_int_eq(store_save_answer(st, u, "hh_size", "", "3"), 0);
    ck_assert_int_eq(store_save_answer(st, u, "m_sex", "members[4]", "2"), 0);
    ck_assert_int_eq(session_resume(st, f, u, 0, &s, NULL), 0);
    v = stored_value(u, "m_sex", "members[4]");
    ck_assert_ptr_null(v);
    count_audit_clears = 0;
    ck_assert_int_eq(store_load_audit(st, u, audit_cb, "members[4]"), 0);
    ck_assert_int_ge(count_audit_clears, 3);
    ok(s, inst_root(session_inst(s)), "hh_size", "4");
    ck_assert_ptr_null(inst_get(session_inst(s), member(s, 3),
                                form_find(f, "m_sex")));
    all_agree(s);
    session_free(s);
}
END_TEST

/* Only answerable questions take an answer: a roster or a question that
 * does not apply is refused, nothing stored. */
START_TEST(only_questions_that_apply_take_answers)
{
    session *s = three_members();
    const char *u = session_uuid(s);
    inst_frame *root = inst_root(session_inst(s));
    char *before = stored(u), *msg = NULL;
    ck_assert_int_eq(session_answer(s, item(root, "members"), "5", &msg),
                     INST_BAD_VALUE);
    ck_assert_ptr_nonnull(strstr(msg, "roster"));
    free(msg);
    ck_assert_int_eq(session_check(s, item(root, "online_spend"), "5", &msg),
                     INST_BAD_VALUE);
    ck_assert_ptr_nonnull(strstr(msg, "does not apply"));
    free(msg);
    char *after = stored(u);
    ck_assert_str_eq(before, after);
    free(after);
    free(before);
    ok(s, root, "n_online", "1");
    ok(s, root, "online_spend", "5");
    session_free(s);
}
END_TEST

/* The same answer again leaves a complete interview complete. */
START_TEST(same_answer_keeps_an_interview_complete)
{
    session *s = three_members();
    inst_frame *root = inst_root(session_inst(s));
    ck_assert_int_eq(session_finalise(s), 0);
    ck_assert(session_same_answer(s, item(root, "hh_no"), "017"));
    ck_assert(!session_same_answer(s, item(root, "hh_no"), "18"));
    ck_assert_int_eq(session_answer(s, item(root, "hh_no"), "017", NULL),
                     INST_OK);
    ck_assert(session_is_complete(s));
    ck_assert_int_eq(session_answer(s, item(root, "hh_no"), "18", NULL),
                     SESSION_LOCKED);
    session_free(s);
}
END_TEST

/* Values in one stored form: select_multiple codes in list order, dates
 * typed dd/mm/yyyy, decimals no finer than a double; digit groups are
 * refused, not guessed. */
START_TEST(values_are_canonical_or_refused)
{
    session *s = three_members();
    const char *u = session_uuid(s);
    inst_frame *root = inst_root(session_inst(s));
    ok(s, root, "internet", "mobile   fixed ");
    char *v = stored_value(u, "internet", "");
    ck_assert_str_eq(v, "fixed mobile");
    free(v);
    ok(s, root, "visit_date", "01/02/2025");
    v = stored_value(u, "visit_date", "");
    ck_assert_str_eq(v, "2025-02-01");
    free(v);
    ok(s, root, "n_online", "1");
    ok(s, root, "online_spend", "100.000000000000000001");
    v = stored_value(u, "online_spend", "");
    ck_assert_str_eq(v, "100");
    free(v);
    char *before = stored(u), *msg = NULL;
    const char *grouped[] = {"1.500", "1,500", "12.345"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(session_answer(s, item(root, "area"), grouped[i],
                                        &msg), INST_BAD_VALUE);
        ck_assert_ptr_nonnull(strstr(msg, "thousands separator"));
        free(msg);
        /* A whole number written with a group: the same reason. */
        ck_assert_int_eq(session_answer(s, item(root, "hh_no"), grouped[i],
                                        &msg), INST_BAD_VALUE);
        ck_assert_ptr_nonnull(strstr(msg, "whole number without digit groups"));
        free(msg);
    }
    char *after = stored(u);
    ck_assert_str_eq(before, after);
    free(after);
    free(before);
    ok(s, root, "area", "0.125");
    ok(s, root, "area", "1,5");
    ok(s, root, "area", "12.3450");
    v = stored_value(u, "area", "");
    ck_assert_str_eq(v, "12.345");
    free(v);
    all_agree(s);
    session_free(s);
}
END_TEST

/* A second connection to the test database, as another program has. */
static store *open_other(void)
{
    store *other;
    char *err = NULL;
    ck_assert_msg(store_open(dbpath, &other, &err) == 0, "%s", err);
    return other;
}

/* Answering v to it is refused as changed elsewhere, and nothing of the
 * interview changes. */
static void refused_as_changed(session *s, session_item it, const char *v)
{
    char *before = stored(session_uuid(s)), *msg = NULL;
    ck_assert_int_eq(session_answer(s, it, v, &msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "changed by another program"));
    free(msg);
    char *after = stored(session_uuid(s));
    ck_assert_str_eq(before, after);
    free(after);
    free(before);
}

/* A member removed by another program (khaosat answer --remove) while the
 * interview is open here: the open session's next write is refused and
 * never lands on the removed member. */
START_TEST(a_change_elsewhere_stops_the_open_session)
{
    session *s = three_members();
    char u[37];
    strcpy(u, session_uuid(s));
    store *other = open_other();
    session *o;
    ck_assert_int_eq(session_resume(other, f, u, 0, &o, NULL), 0);
    ck_assert_int_eq(session_answer_removing(o, item(inst_root(
                         session_inst(o)), "hh_size"), "2", NULL), INST_OK);
    session_free(o);
    store_close(other);
    char *before = stored(u), *msg = NULL;
    ck_assert_int_eq(session_answer(s, item(member(s, 2), "m_name"),
                                    "Lò Văn Ba", &msg), -1);
    ck_assert_ptr_nonnull(strstr(msg, "changed by another program"));
    free(msg);
    ck_assert_int_ne(session_repeat_add(s, item(inst_root(session_inst(s)),
                                                "members"), NULL), 0);
    ck_assert_int_ne(session_reopen(s) || session_finalise(s), 0);
    char *after = stored(u);
    ck_assert_str_eq(before, after);
    ck_assert_ptr_null(strstr(after, "members[3]"));
    free(after);
    free(before);
    /* Read again (as the screen does after such a refusal), it is the
     * other program's version and takes answers. */
    ck_assert_int_ne(session_stale(s), 0);
    ck_assert_int_eq(session_reload(s, NULL), 0);
    ck_assert_int_eq(session_stale(s), 0);
    ck_assert_uint_eq(inst_repeat_count(session_inst(s), inst_root(session_inst(s)),
                                        form_find(f, "members")), 2);
    ok(s, member(s, 1), "m_name", "Lò Thị Hai Mới");
    all_agree(s);
    session_free(s);
    /* Opened again, it is the same. */
    ck_assert_int_eq(session_resume(st, f, u, 0, &s, NULL), 0);
    ck_assert_int_eq(session_stale(s), 0);
    ok(s, member(s, 0), "m_name", "Lò Văn Một Mới");
    all_agree(s);
    session_free(s);
}
END_TEST

/* An answer checks that nobody changed its interview since the open
 * session last saw it without reading the audit again when nothing at all
 * was written since: every other write, of another program or of this
 * one, to this interview or another, is told apart.  Answers go on after
 * writes that left this interview alone and stop after one that did not,
 * however the writes come in turn. */
START_TEST(only_a_change_to_the_open_interview_stops_it)
{
    session *s = three_members();
    inst_frame *root = inst_root(session_inst(s));
    char u[37];
    strcpy(u, session_uuid(s));
    store *other = open_other();
    /* Another program answers another household, in turn with this one. */
    session *o;
    ck_assert_int_eq(session_new(other, f, "enum2", 0, &o, NULL), 0);
    char ou[37];
    strcpy(ou, session_uuid(o));
    ok(o, inst_root(session_inst(o)), "village", "Bản Khác");
    ok(s, root, "area", "1.5");
    ok(o, inst_root(session_inst(o)), "hh_no", "18");
    ok(s, root, "area", "2.5");
    session_free(o);
    /* This program changes that household between two answers here. */
    ck_assert_int_eq(store_save_answer(st, ou, "hh_no", "", "19"), 0);
    ok(s, root, "area", "3.5");
    ck_assert_int_eq(store_save_answer(st, ou, "hh_no", "", "20"), 0);
    ok(s, root, "hh_no", "21");
    /* The other program changes this household right after an answer
     * here: the next answer here is refused and lands nowhere. */
    ck_assert_int_eq(store_save_answer(other, u, "area", "", "9"), 0);
    refused_as_changed(s, item(root, "area"), "4.5");
    /* Read again, it takes answers; a change elsewhere after a write of
     * this program to another household stops it again. */
    ck_assert_int_eq(session_reload(s, NULL), 0);
    root = inst_root(session_inst(s));
    ok(s, root, "area", "5.5");
    ck_assert_int_eq(store_save_answer(st, ou, "hh_no", "", "22"), 0);
    ck_assert_int_eq(store_save_answer(other, u, "area", "", "10"), 0);
    refused_as_changed(s, item(root, "area"), "6.5");
    char *v = stored_value(u, "area", "");
    ck_assert_str_eq(v, "10");
    free(v);
    /* Read again, its answers are the database's. */
    ck_assert_int_eq(session_reload(s, NULL), 0);
    ok(s, inst_root(session_inst(s)), "area", "7.5");
    all_agree(s);
    store_close(other);
    session_free(s);
}
END_TEST

static Suite *integrity_suite(void)
{
    Suite *s = suite_create("integrity");
    TCase *tc = check_tcase(s, "session", setup, teardown, 60);
    tcase_add_test(tc, shrinking_a_roster_asks_and_leaves_nothing_behind);
    tcase_add_test(tc, complete_interviews_are_corrected_through_reopening);
    tcase_add_test(tc, numbers_are_stored_canonically);
    tcase_add_test(tc, same_key_is_found_at_entry);
    tcase_add_test(tc, text_is_stored_in_nfc);
    tcase_add_test(tc, required_and_leaving);
    tcase_add_test(tc, random_edits_never_corrupt_an_interview);
    tcase_add_test(tc, stray_answers_beyond_the_count_never_come_back);
    tcase_add_test(tc, only_questions_that_apply_take_answers);
    tcase_add_test(tc, same_answer_keeps_an_interview_complete);
    tcase_add_test(tc, values_are_canonical_or_refused);
    tcase_add_test(tc, a_change_elsewhere_stops_the_open_session);
    tcase_add_test(tc, only_a_change_to_the_open_interview_stops_it);
    return s;
}

int main(void)
{
    return check_run(integrity_suite());
}
