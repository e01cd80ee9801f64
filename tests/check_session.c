/* check_session.c: interviews joined to the store: answers committed and
 * resumed, repeats persisted, finalising refused on problems, simulation
 * valid and reproducible. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "core/form.h"
#include "session/session.h"
#include "session/simulate.h"
#include "store/store.h"
#include "core/util.h"

static const char roster_yaml[] =
    "form:\n"
    "  id: roster\n"
    "  version: \"3\"\n"
    "  title: {vi: \"Hộ\", en: \"Household\"}\n"
    "  languages: [vi, en]\n"
    "  key: [hh_no]\n"
    "choices:\n"
    "  yn:\n"
    "    - {value: \"1\", label: {vi: Có, en: Yes}}\n"
    "    - {value: \"0\", label: {vi: Không, en: No}}\n"
    "questions:\n"
    "  - id: hh_no\n"
    "    type: integer\n"
    "    label: {vi: Số hộ, en: Household number}\n"
    "    required: true\n"
    "    constraint: \". >= 1 and . <= 999\"\n"
    "  - id: internet\n"
    "    type: select_one yn\n"
    "    label: {vi: Internet, en: Internet}\n"
    "    required: true\n"
    "  - id: provider\n"
    "    type: text\n"
    "    label: {vi: Nhà mạng, en: Provider}\n"
    "    relevant: \"${internet} = '1'\"\n"
    "    required: true\n"
    "  - id: members\n"
    "    type: repeat\n"
    "    label: {vi: Thành viên, en: Members}\n"
    "    min: 1\n"
    "    max: 8\n"
    "    questions:\n"
    "      - id: name\n"
    "        type: text\n"
    "        label: {vi: Tên, en: Name}\n"
    "        required: true\n"
    "      - id: yob\n"
    "        type: integer\n"
    "        label: {vi: Năm sinh, en: Year of birth}\n"
    "        constraint: \". >= 1900 and . <= 2026\"\n"
    "  - id: n_members\n"
    "    type: calculate\n"
    "    calculation: \"count(${name})\"\n";

static form *f;
static store *st;
static char *dbpath;

static void setup(void)
{
    diag_list d;
    diag_init(&d);
    f = form_load_string(roster_yaml, sizeof roster_yaml - 1, "roster.yaml", &d);
    ck_assert_msg(f && d.n == 0, "test form does not load");
    diag_free(&d);
    dbpath = check_tmpdb_new("check-session");
    char *err = NULL;
    ck_assert_msg(store_open(dbpath, &st, &err) == 0, "store_open: %s", err);
}

static void teardown(void)
{
    store_close(st);
    form_free(f);
    check_tmpdb_free(dbpath);
}

/* The item of question id in frame fr. */
static session_item item(inst_frame *fr, const char *id)
{
    session_item it = {form_find(f, id), fr};
    ck_assert_int_ge(it.q, 0);
    return it;
}

/* store_load_audit callback: "qid:old->new;" for each change. */
static int collect_change(void *ctx, const store_audit *a)
{
    if (!strcmp(a->event, "change"))
        sbuf_addf(ctx, "%s:%s->%s;", a->qid ? a->qid : "",
                  a->old_value ? a->old_value : "",
                  a->new_value ? a->new_value : "");
    return 0;
}

START_TEST(answers_are_committed_and_resumed)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "enum01", 0, &s, NULL), 0);
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    inst_frame *root = inst_root(session_inst(s));
    ck_assert_int_eq(session_answer(s, item(root, "hh_no"), "17", NULL), INST_OK);
    ck_assert_int_eq(session_answer(s, item(root, "internet"), "1", NULL), INST_OK);
    inst_frame *m;
    ck_assert_int_eq(session_repeat_add(s, item(root, "members"), &m), 0);
    ck_assert_int_eq(session_answer(s, item(m, "name"), "Lan", NULL), INST_OK);
    ck_assert_int_eq(session_repeat_add(s, item(root, "members"), &m), 0);
    ck_assert_int_eq(session_answer(s, item(m, "name"), "Hùng", NULL), INST_OK);
    ck_assert_int_eq(session_enter(s, item(m, "yob")), 0);
    session_free(s);

    /* Close and reopen the database, as after a restart. */
    store_close(st);
    ck_assert_int_eq(store_open(dbpath, &st, NULL), 0);
    ck_assert_int_eq(session_resume(st, f, uuid, 0, &s, NULL), 0);
    inst *in = session_inst(s);
    root = inst_root(in);
    ck_assert_str_eq(inst_get(in, root, form_find(f, "hh_no")), "17");
    ck_assert_uint_eq(inst_repeat_count(in, root, form_find(f, "members")), 2);
    inst_frame *second = inst_repeat_get(in, root, form_find(f, "members"), 1);
    ck_assert_str_eq(inst_get(in, second, form_find(f, "name")), "Hùng");
    ck_assert_str_eq(inst_get(in, root, form_find(f, "n_members")), "2");
    session_item where = session_resume_item(s);
    ck_assert_int_eq(where.q, form_find(f, "yob"));
    ck_assert_ptr_eq(where.fr, second);
    session_free(s);
}
END_TEST

/* What the screens do with a copy this user may only read: the interview
 * is resumed to be looked at, with its answers and no stray answer
 * dropped, and an answer is refused in the store's words.  0 when all is
 * so, else the number of the first thing that is not. */
static int ro_reader(const check_ro_case *c)
{
    store *rst = NULL;
    char *err = NULL;
    int created = 0;
    if (store_open_at(c->path, STORE_CREATE_OR_READ, &rst, &created, &err))
        return 1;
    session *s = NULL;
    int rc = session_resume(rst, f, c->uuid, 0, &s, &err) ? 2 : 0;
    if (!rc) {
        inst *in = session_inst(s);
        inst_frame *root = inst_root(in);
        const char *v = inst_get(in, root, form_find(f, "hh_no"));
        char *msg = NULL;
        rc = !v || strcmp(v, "17") ? 3
            : session_answer(s, item(root, "hh_no"), "18", &msg) == INST_OK
                ? 4
            : !strstr(session_errmsg(s), "this database is read-only: ") ? 5
            : strcmp(inst_get(in, root, form_find(f, "hh_no")), "17") ? 6 : 0;
        free(msg);
        session_free(s);
    }
    free(err);
    store_close(rst);
    return rc;
}

START_TEST(a_read_only_copy_is_resumed_to_be_looked_at)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "enum01", 0, &s, NULL), 0);
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    inst_frame *root = inst_root(session_inst(s));
    ck_assert_int_eq(session_answer(s, item(root, "hh_no"), "17", NULL),
                     INST_OK);
    session_free(s);
    /* An answer this form does not ask any more: a writable database
     * drops it at resume, a read-only one keeps it. */
    ck_assert_int_eq(store_save_answer(st, uuid, "gone", "", "x"), 0);
    store_close(st);
    st = NULL;
    char *path = check_read_only_run(dbpath, xasprintf("%s.d", dbpath), uuid,
                                     ro_reader);
    char *dir = xasprintf("%s.d", dbpath);
    ck_assert_int_eq(rename(path, dbpath), 0);
    ck_assert_int_eq(rmdir(dir), 0);
    ck_assert_int_eq(store_open(dbpath, &st, NULL), 0);
    free(path);
    free(dir);
}
END_TEST

/* A note on a question: kept as text answers are (NFC, trimmed), read
 * back, removed when emptied; bad text and a complete interview are
 * refused with a message and nothing saved. */
START_TEST(notes_on_questions)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "enum01", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    ck_assert_int_eq(session_answer(s, item(root, "hh_no"), "17", NULL), INST_OK);
    session_item it = item(root, "hh_no");
    char *msg = NULL;
    /* "Nhà" with a combining grave accent: kept composed. */
    ck_assert_int_eq(session_note_set(s, it, "  so\xcc\x80 cu\xcc\x83  ", &msg),
                     INST_OK);
    ck_assert_ptr_null(msg);
    char *n = session_note_get(s, it);
    ck_assert_str_eq(n, "s\xc3\xb2 c\xc5\xa9");
    free(n);
    ck_assert_int_eq(session_note_set(s, it, "\xff bad", &msg), INST_BAD_VALUE);
    ck_assert_msg(msg && strstr(msg, "UTF-8"), "%s", msg ? msg : "");
    free(msg);
    char *big = xmalloc(5000);
    memset(big, 'a', 4999);
    big[4999] = '\0';
    ck_assert_int_eq(session_note_set(s, it, big, &msg), INST_BAD_VALUE);
    ck_assert_msg(msg && strstr(msg, "at most 4096"), "%s", msg ? msg : "");
    free(msg);
    free(big);
    n = session_note_get(s, it);
    ck_assert_str_eq(n, "s\xc3\xb2 c\xc5\xa9");
    free(n);
    ck_assert_int_eq(session_note_set(s, it, "", &msg), INST_OK);
    ck_assert_ptr_null(session_note_get(s, it));
    ck_assert_int_eq(session_answer(s, item(root, "internet"), "0", NULL), INST_OK);
    inst_frame *m;
    ck_assert_int_eq(session_repeat_add(s, item(root, "members"), &m), 0);
    ck_assert_int_eq(session_answer(s, item(m, "name"), "Lan", NULL), INST_OK);
    ck_assert_int_eq(session_note_set(s, item(m, "name"), "tên gọi", &msg),
                     INST_OK);
    ck_assert_int_eq(session_finalise(s), 0);
    ck_assert_int_eq(session_note_set(s, it, "late", &msg), SESSION_LOCKED);
    ck_assert_ptr_nonnull(msg);
    free(msg);
    ck_assert_ptr_null(session_note_get(s, it));
    n = session_note_get(s, item(m, "name"));
    ck_assert_str_eq(n, "tên gọi");
    free(n);
    session_free(s);
}
END_TEST

/* default: setup('name') takes the set-up's values when the interview
 * starts, saved as answers with their audit rows (a missing value leaves
 * the answer empty); they stay what they were when the set-up changes,
 * and the enumerator may change them like any answer. */
START_TEST(defaults_read_the_setup)
{
    static const char yaml[] =
        "form:\n  id: sf\n  version: \"1\"\n  title: T\n  languages: [vi]\n"
        "questions:\n"
        "  - {id: who, type: text, label: Ai, default: \"setup('enumerator')\"}\n"
        "  - {id: xa, type: text, label: Xã, default: \"concat(setup('commune'),"
        " ' ', setup('commune_code'))\"}\n"
        "  - {id: tinh, type: text, label: Tỉnh, default: \"setup('province_code')\"}\n"
        "  - {id: d, type: date, label: Ngày, default: today()}\n";
    diag_list d;
    diag_init(&d);
    form *g = form_load_string(yaml, sizeof yaml - 1, "sf.yaml", &d);
    ck_assert_msg(g && d.n == 0, "form: %s", d.n ? d.v[0].msg : "?");
    diag_free(&d);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_ENUMERATOR, "Lò Văn Hải"), 0);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_COMMUNE, "Tân Lập"), 0);
    ck_assert_int_eq(store_setting_set(st, STORE_SET_SETUP_CODE, "01234"), 0);
    session *s;
    ck_assert_int_eq(session_new(st, g, "Lò Văn Hải", 0, &s, NULL), 0);
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    inst *in = session_inst(s);
    inst_frame *root = inst_root(in);
    ck_assert_str_eq(inst_get(in, root, form_find(g, "who")), "Lò Văn Hải");
    ck_assert_str_eq(inst_get(in, root, form_find(g, "xa")), "Tân Lập 01234");
    ck_assert_ptr_null(inst_get(in, root, form_find(g, "tinh")));
    ck_assert_ptr_nonnull(inst_get(in, root, form_find(g, "d")));
    session_item who = {form_find(g, "who"), root};
    ck_assert_int_eq(session_answer(s, who, "Mã ĐTV 07", NULL), INST_OK);
    session_free(s);
    /* A later set-up leaves the interview as it was. */
    ck_assert_int_eq(store_setting_set(st, STORE_SET_COMMUNE, "Xã khác"), 0);
    ck_assert_int_eq(session_resume(st, g, uuid, 0, &s, NULL), 0);
    in = session_inst(s);
    root = inst_root(in);
    ck_assert_str_eq(inst_get(in, root, form_find(g, "who")), "Mã ĐTV 07");
    ck_assert_str_eq(inst_get(in, root, form_find(g, "xa")), "Tân Lập 01234");
    session_free(s);
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_load_audit(st, uuid, collect_change, &b), 0);
    ck_assert_msg(strstr(b.s, "who:->Lò Văn Hải;"), "%s", b.s);
    ck_assert_msg(strstr(b.s, "who:Lò Văn Hải->Mã ĐTV 07;"), "%s", b.s);
    ck_assert_msg(strstr(b.s, "xa:->Tân Lập 01234;"), "%s", b.s);
    sbuf_free(&b);
    form_free(g);
}
END_TEST

/* store_load_answers callback: append "qid path=value;" to an sbuf. */
static int collect_answer(void *ctx, const char *qid, const char *path,
                          const char *v)
{
    sbuf_addf(ctx, "%s %s=%s;", qid, path, v ? v : "");
    return 0;
}

/* default: today() is computed when the interview (or a roster instance)
 * starts and saved as an answer, not kept as the text "today()". */
START_TEST(computed_defaults_are_saved_at_start)
{
    static const char yaml[] =
        "form: {id: dd, version: \"1\", title: D, languages: [vi]}\n"
        "questions:\n"
        "  - {id: visit, type: date, label: Ngày, default: today()}\n"
        "  - {id: stamp, type: text, label: Lúc, default: now()}\n"
        "  - {id: n, type: integer, label: Số, default: 3}\n"
        "  - id: plots\n"
        "    type: repeat\n"
        "    label: Thửa\n"
        "    questions:\n"
        "      - {id: seen, type: date, label: Ngày thửa, default: now()}\n"
        "  - {id: k, type: integer, label: Số lô}\n"
        "  - id: lots\n"
        "    type: repeat\n"
        "    label: Lô\n"
        "    count: ${k}\n"
        "    questions:\n"
        "      - {id: when, type: date, label: Ngày lô, default: today()}\n";
    diag_list d;
    diag_init(&d);
    form *g = form_load_string(yaml, sizeof yaml - 1, "dd.yaml", &d);
    ck_assert_msg(g && d.n == 0, "form does not load");
    diag_free(&d);
    session *s;
    ck_assert_int_eq(session_new(st, g, "e", 0, &s, NULL), 0);
    char *today = val_format_date(val_local_days((double)time(NULL)));
    inst *in = session_inst(s);
    inst_frame *root = inst_root(in);
    ck_assert_str_eq(inst_get(in, root, form_find(g, "visit")), today);
    const char *stamp = inst_get(in, root, form_find(g, "stamp"));
    ck_assert(stamp && !strncmp(stamp, today, 10) && stamp[10] == 'T');
    char *stamp_copy = xstrdup(stamp);
    session_item plots = {form_find(g, "plots"), root};
    inst_frame *p;
    ck_assert_int_eq(session_repeat_add(s, plots, &p), 0);
    ck_assert_str_eq(inst_get(in, p, form_find(g, "seen")), today);
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_load_answers(st, session_uuid(s), collect_answer, &b), 0);
    char *want = xasprintf("visit =%s;", today);
    ck_assert_msg(strstr(b.s, want), "saved: %s", b.s);
    free(want);
    want = xasprintf("seen plots[1]=%s;", today);
    ck_assert_msg(strstr(b.s, want), "saved: %s", b.s);
    free(want);
    ck_assert_msg(strstr(b.s, "stamp =") && !strstr(b.s, "n ="), "saved: %s", b.s);
    /* Instances a count adds get theirs saved with the answer that adds
     * them. */
    ck_assert_int_eq(session_answer(s, (session_item){form_find(g, "k"), root},
                                    "2", NULL), INST_OK);
    sbuf_reset(&b);
    ck_assert_int_eq(store_load_answers(st, session_uuid(s), collect_answer, &b), 0);
    want = xasprintf("when lots[2]=%s;", today);
    ck_assert_msg(strstr(b.s, want), "saved: %s", b.s);
    free(want);
    /* Cleared, it stays cleared after resuming: not computed again. */
    ck_assert_int_eq(session_answer(s, (session_item){form_find(g, "visit"), root},
                                    "", NULL), INST_OK);
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    session_free(s);
    ck_assert_int_eq(session_resume(st, g, uuid, 0, &s, NULL), 0);
    in = session_inst(s);
    root = inst_root(in);
    ck_assert_ptr_null(inst_get(in, root, form_find(g, "visit")));
    ck_assert_str_eq(inst_get(in, root, form_find(g, "stamp")), stamp_copy);
    inst_frame *lot = inst_repeat_get(in, root, form_find(g, "lots"), 1);
    ck_assert_str_eq(inst_get(in, lot, form_find(g, "when")), today);
    sbuf_free(&b);
    free(today);
    free(stamp_copy);
    session_free(s);
    form_free(g);
}
END_TEST

/* Interviews of the form in the database. */
static long interviews(void)
{
    store_counts c = {0, 0, 0, 0};
    ck_assert_int_eq(store_count(st, "roster", &c), 0);
    return c.drafts + c.complete;
}

/* A new interview left with nothing answered is not kept (as a blank new
 * form is discarded); one with an answer, a member, or a change made by
 * another program is. */
START_TEST(a_blank_new_interview_is_not_kept)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    ck_assert_int_eq(session_enter(s, item(root, "hh_no")), 0);
    ck_assert_int_eq(interviews(), 1);
    ck_assert_int_eq(session_discard_blank(s), 1);
    ck_assert_int_eq(interviews(), 0);
    session_free(s);

    /* An answer, even one cleared again, keeps it. */
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    root = inst_root(session_inst(s));
    ck_assert_int_eq(session_answer(s, item(root, "hh_no"), "5", NULL), INST_OK);
    ck_assert_int_eq(session_answer(s, item(root, "hh_no"), "", NULL), INST_OK);
    ck_assert_int_eq(session_discard_blank(s), 0);
    session_free(s);
    ck_assert_int_eq(interviews(), 1);

    /* So does a member added. */
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    root = inst_root(session_inst(s));
    ck_assert_int_eq(session_repeat_add(s, item(root, "members"), NULL), 0);
    ck_assert_int_eq(session_discard_blank(s), 0);
    session_free(s);
    ck_assert_int_eq(interviews(), 2);

    /* And an answer given by another program while it was open. */
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    store *other;
    ck_assert_int_eq(store_open(dbpath, &other, NULL), 0);
    session *o;
    ck_assert_int_eq(session_resume(other, f, session_uuid(s), 0, &o, NULL), 0);
    ck_assert_int_eq(session_answer(o, item(inst_root(session_inst(o)), "hh_no"),
                                    "9", NULL), INST_OK);
    session_free(o);
    store_close(other);
    ck_assert_int_eq(session_discard_blank(s), 0);
    session_free(s);
    ck_assert_int_eq(interviews(), 3);

    /* A resumed draft is never discarded, blank or not. */
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    session_free(s);
    ck_assert_int_eq(session_resume(st, f, uuid, 0, &s, NULL), 0);
    ck_assert_int_eq(session_discard_blank(s), 0);
    session_free(s);
    ck_assert_int_eq(interviews(), 4);
}
END_TEST

/* A count answered far beyond what a roster holds is refused at once,
 * saying so, and changes nothing; up to the limit it is made. */
START_TEST(a_count_beyond_the_limit_is_refused)
{
    static const char yaml[] =
        "form: {id: big, version: \"1\", title: B, languages: [vi]}\n"
        "questions:\n"
        "  - {id: n, type: integer, label: N}\n"
        "  - id: plots\n"
        "    type: repeat\n"
        "    label: P\n"
        "    count: \"${n} * 2\"\n"
        "    questions:\n"
        "      - {id: a, type: decimal, label: A}\n";
    diag_list d;
    diag_init(&d);
    form *g = form_load_string(yaml, sizeof yaml - 1, "big.yaml", &d);
    ck_assert_msg(g && d.n == 0, "form does not load");
    diag_free(&d);
    session *s;
    ck_assert_int_eq(session_new(st, g, "e", 0, &s, NULL), 0);
    inst *in = session_inst(s);
    session_item n = {form_find(g, "n"), inst_root(in)};
    int plots = form_find(g, "plots");
    char *msg = NULL;
    ck_assert_int_eq(session_answer(s, n, "1000000000", &msg), INST_BAD_VALUE);
    ck_assert_msg(msg && strstr(msg, "more than 1000 entries in 'plots'"), "%s", msg);
    free(msg);
    msg = NULL;
    /* Just over the limit through the count expression: refused too. */
    ck_assert_int_eq(session_answer(s, n, "501", &msg), INST_BAD_VALUE);
    free(msg);
    ck_assert_ptr_null(inst_get(in, inst_root(in), n.q));
    ck_assert_uint_eq(inst_repeat_count(in, inst_root(in), plots), 0);
    ck_assert_int_eq(session_answer(s, n, "500", NULL), INST_OK);
    ck_assert_uint_eq(inst_repeat_count(in, inst_root(in), plots), FORM_MAX_REPEAT);
    session_free(s);
    form_free(g);
}
END_TEST

START_TEST(invalid_answer_is_not_saved)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    char *msg = NULL;
    ck_assert_int_eq(session_answer(s, item(root, "hh_no"), "5000", &msg), INST_CONSTRAINT);
    ck_assert_ptr_nonnull(msg);
    free(msg);
    ck_assert_ptr_null(inst_get(session_inst(s), root, form_find(f, "hh_no")));
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    session_free(s);
    ck_assert_int_eq(session_resume(st, f, uuid, 0, &s, NULL), 0);
    ck_assert_ptr_null(inst_get(session_inst(s), inst_root(session_inst(s)),
                                form_find(f, "hh_no")));
    session_free(s);
}
END_TEST

START_TEST(removing_a_member_persists)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    const char *names[] = {"A", "B", "C"};
    for (int i = 0; i < 3; i++) {
        inst_frame *m;
        ck_assert_int_eq(session_repeat_add(s, item(root, "members"), &m), 0);
        ck_assert_int_eq(session_answer(s, item(m, "name"), names[i], NULL), INST_OK);
    }
    ck_assert_int_eq(session_repeat_remove(s, item(root, "members"), 0), 0);
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    session_free(s);
    ck_assert_int_eq(session_resume(st, f, uuid, 0, &s, NULL), 0);
    inst *in = session_inst(s);
    root = inst_root(in);
    int r = form_find(f, "members");
    ck_assert_uint_eq(inst_repeat_count(in, root, r), 2);
    ck_assert_str_eq(inst_get(in, inst_repeat_get(in, root, r, 0), form_find(f, "name")), "B");
    ck_assert_str_eq(inst_get(in, inst_repeat_get(in, root, r, 1), form_find(f, "name")), "C");
    session_free(s);
}
END_TEST

START_TEST(finalise_refuses_until_complete)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    session_answer(s, item(root, "internet"), "1", NULL);
    session_problem *p;
    size_t n = session_problems(s, &p);
    /* hh_no and provider are required; the roster needs a member. */
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(p[0].item.q, form_find(f, "hh_no"));
    ck_assert_int_eq(p[0].why, INST_REQUIRED);
    ck_assert_int_eq(p[1].item.q, form_find(f, "provider"));
    ck_assert_int_eq(p[2].item.q, form_find(f, "members"));
    session_problems_free(p, n);
    ck_assert_int_eq(session_finalise(s), 3);

    session_answer(s, item(root, "hh_no"), "3", NULL);
    session_answer(s, item(root, "internet"), "0", NULL); /* provider no longer asked */
    inst_frame *m;
    session_repeat_add(s, item(root, "members"), &m);
    session_answer(s, item(m, "name"), "Mai", NULL);
    ck_assert_int_eq(session_finalise(s), 0);
    store_interview iv;
    ck_assert_int_eq(store_get_interview(st, session_uuid(s), &iv), 0);
    ck_assert_int_eq(iv.status, STORE_COMPLETE);
    store_interview_clear(&iv);
    session_free(s);
}
END_TEST

/* Collect answers as "qid@path=value;" to compare two interviews. */
static int collect(void *ctx, const char *qid, const char *path, const char *v)
{
    sbuf_addf(ctx, "%s@%s=%s;", qid, path, v);
    return 0;
}

/* Simulate one interview with seed and return its answers as text. */
static char *simulated(unsigned seed)
{
    session *s;
    sim_rng r;
    sim_seed(&r, seed);
    ck_assert_int_eq(session_new(st, f, "sim", 0, &s, NULL), 0);
    ck_assert_int_eq(sim_fill(s, &r, 5), 0);
    ck_assert_int_eq(session_finalise(s), 0);
    sbuf b;
    sbuf_init(&b);
    store_load_answers(st, session_uuid(s), collect, &b);
    session_free(s);
    sim_free(&r);
    return sbuf_detach(&b);
}

START_TEST(simulation_is_valid_and_reproducible)
{
    char *a = simulated(42), *b = simulated(42), *c = simulated(43);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_ptr_nonnull(strstr(a, "hh_no@="));
    ck_assert_ptr_nonnull(strstr(a, "name@members[1]="));
    free(a);
    free(b);
    free(c);
}
END_TEST

/* The interview's stored answers, "qid path=value;" each, by path. */
static char *stored(const char *uuid)
{
    sbuf b;
    sbuf_init(&b);
    ck_assert_int_eq(store_load_answers(st, uuid, collect_answer, &b), 0);
    return sbuf_detach(&b);
}

/* A member added reads only its own questions' stored answers: a stray
 * left at its path (by an older release or a merge) is dropped, audited,
 * while strays elsewhere wait for the member they belong to (or the next
 * resume); removing and adding again, three times and across a resume,
 * never brings a removed member's answers back. */
START_TEST(a_member_added_drops_only_its_own_strays)
{
    session *s;
    ck_assert_int_eq(session_new(st, f, "e", 0, &s, NULL), 0);
    char uuid[37];
    strcpy(uuid, session_uuid(s));
    inst_frame *root = inst_root(session_inst(s));
    for (int i = 0; i < 2; i++) {
        inst_frame *m;
        ck_assert_int_eq(session_repeat_add(s, item(root, "members"), &m), 0);
        ck_assert_int_eq(session_answer(s, item(m, "name"), i ? "B" : "A",
                                        NULL), INST_OK);
        char *p = inst_frame_path(m);
        ck_assert_str_eq(p, i ? "members[2]" : "members[1]");
        free(p);
    }
    /* Strays at the third member's place, the fourth's, and the 30th's
     * (whose path begins with the third's "members[3"). */
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "members[3]",
                                       "Ghost"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "yob", "members[3]",
                                       "1950"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "members[4]",
                                       "Later"), 0);
    ck_assert_int_eq(store_save_answer(st, uuid, "name", "members[30]",
                                       "Far"), 0);
    inst_frame *m;
    ck_assert_int_eq(session_repeat_add(s, item(root, "members"), &m), 0);
    ck_assert_ptr_null(inst_get(session_inst(s), m, form_find(f, "name")));
    char *have = stored(uuid);
    ck_assert_str_eq(have, "name members[1]=A;name members[2]=B;"
                           "name members[30]=Far;name members[4]=Later;");
    free(have);
    sbuf changes;
    sbuf_init(&changes);
    ck_assert_int_eq(store_load_audit(st, uuid, collect_change, &changes), 0);
    ck_assert_ptr_nonnull(strstr(changes.s, "name:Ghost->;"));
    ck_assert_ptr_nonnull(strstr(changes.s, "yob:1950->;"));
    ck_assert_ptr_null(strstr(changes.s, "name:Later->;"));
    sbuf_free(&changes);
    /* The fourth member's stray goes when the fourth is added. */
    ck_assert_int_eq(session_repeat_add(s, item(root, "members"), &m), 0);
    ck_assert_ptr_null(inst_get(session_inst(s), m, form_find(f, "name")));
    have = stored(uuid);
    ck_assert_ptr_null(strstr(have, "Later"));
    free(have);
    ck_assert_int_eq(session_repeat_remove(s, item(root, "members"), 3), 0);
    ck_assert_int_eq(session_repeat_remove(s, item(root, "members"), 2), 0);
    /* Shrink and grow again: three passes, the second and third after a
     * resume. */
    for (int pass = 0; pass < 3; pass++) {
        ck_assert_int_eq(session_answer(s, item(inst_repeat_get(
            session_inst(s), root, form_find(f, "members"), 1), "name"),
            "C", NULL), INST_OK);
        ck_assert_int_eq(session_repeat_remove(s, item(root, "members"), 1),
                         0);
        ck_assert_int_eq(session_repeat_add(s, item(root, "members"), &m), 0);
        ck_assert_ptr_null(inst_get(session_inst(s), m,
                                    form_find(f, "name")));
        /* The far stray moves down with each removal (the store
         * renumbers the members after a removed one), never dropped by
         * an addition elsewhere; the first resume drops it. */
        have = stored(uuid);
        if (pass == 0)
            ck_assert_msg(!strncmp(have, "name members[1]=A;name members[",
                                   31) && strstr(have, "]=Far;"),
                          "pass %d: %s", pass, have);
        else
            ck_assert_str_eq(have, "name members[1]=A;");
        free(have);
        session_free(s);
        ck_assert_int_eq(session_resume(st, f, uuid, 0, &s, NULL), 0);
        root = inst_root(session_inst(s));
        ck_assert_uint_eq(inst_repeat_count(session_inst(s), root,
                                            form_find(f, "members")), 2);
    }
    /* The resume dropped the stray no member was added at. */
    have = stored(uuid);
    ck_assert_str_eq(have, "name members[1]=A;");
    free(have);
    session_free(s);
}
END_TEST

/* Audit events of one kind, counted. */
typedef struct event_count {
    const char *event;
    long n;
} event_count;

static int count_event_cb(void *ctx, const store_audit *a)
{
    event_count *c = ctx;
    c->n += !strcmp(a->event, c->event);
    return 0;
}

/* The number of audit events of kind event on interview uuid. */
static long audit_events(const char *uuid, const char *event)
{
    event_count c = {event, 0};
    ck_assert_int_eq(store_load_audit(st, uuid, count_event_cb, &c), 0);
    return c.n;
}

/* A household number saved before its village's list came, in an
 * interview finished since: the same number again is not on the list, as
 * in a draft, and nothing changes (it stays complete); a confirmation
 * needs it reopened; once confirmed, the same number is fine. */
START_TEST(a_complete_interviews_unlisted_number_is_asked)
{
    static const char yaml[] =
        "form:\n  id: lc\n  version: \"1\"\n  title: T\n  languages: [vi]\n"
        "choices:\n  vv:\n    - {value: \"T1\", label: \"Thôn 1\"}\n"
        "questions:\n"
        "  - {id: village, type: select_one vv, label: Thôn, "
        "choices_from: villages}\n"
        "  - {id: hh, type: integer, label: Hộ, list_check: households}\n";
    diag_list d;
    diag_init(&d);
    form *g = form_load_string(yaml, sizeof yaml - 1, "lc.yaml", &d);
    ck_assert_msg(g && d.n == 0, "form: %s", d.n ? d.v[0].msg : "?");
    diag_free(&d);
    store_village v = {"T1", "Thôn Một", NULL, 0};
    ck_assert_int_eq(store_villages_replace(st, &v, 1), 0);
    session *s;
    ck_assert_int_eq(session_new(st, g, "e", 0, &s, NULL), 0);
    inst_frame *root = inst_root(session_inst(s));
    session_item village = {form_find(g, "village"), root};
    session_item hh = {form_find(g, "hh"), root};
    ck_assert_int_eq(session_answer(s, village, "T1", NULL), INST_OK);
    ck_assert_int_eq(session_answer(s, hh, "5", NULL), INST_OK);
    ck_assert_int_eq(session_finalise(s), 0);
    store_household h = {"T1", "1", "Lò Văn A"};
    size_t bad;
    ck_assert_int_eq(store_households_replace(st, &h, 1, &bad), 0);
    for (int pass = 0; pass < 2; pass++) {
        char *msg = NULL;
        ck_assert_int_eq(session_answer(s, hh, "5", &msg), SESSION_NOT_ON_LIST);
        ck_assert_msg(msg && strstr(msg, "Household 5 is not on the list"),
                      "%s", msg ? msg : "(none)");
        free(msg);
        ck_assert(session_is_complete(s));
    }
    char *msg = NULL;
    ck_assert_int_eq(session_answer_confirmed(s, hh, "5",
                                              SESSION_CONFIRM_NOT_ON_LIST,
                                              &msg), SESSION_LOCKED);
    free(msg);
    ck_assert_int_eq(audit_events(session_uuid(s), "not-on-list"), 0);
    ck_assert_int_eq(session_reopen(s), 0);
    ck_assert_int_eq(session_answer_confirmed(s, hh, "5",
                                              SESSION_CONFIRM_NOT_ON_LIST,
                                              NULL), INST_OK);
    ck_assert_int_eq(audit_events(session_uuid(s), "not-on-list"), 1);
    ck_assert_int_eq(session_finalise(s), 0);
    ck_assert_int_eq(session_answer(s, hh, "5", NULL), INST_OK);
    ck_assert_int_eq(session_answer_confirmed(s, hh, "5",
                                              SESSION_CONFIRM_NOT_ON_LIST,
                                              NULL), INST_OK);
    ck_assert(session_is_complete(s));
    ck_assert_int_eq(audit_events(session_uuid(s), "not-on-list"), 1);
    session_free(s);
    form_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("session");
    TCase *tc = check_tcase(s, "core", setup, teardown, 0);
    tcase_add_test(tc, answers_are_committed_and_resumed);
    tcase_add_test(tc, a_read_only_copy_is_resumed_to_be_looked_at);
    tcase_add_test(tc, notes_on_questions);
    tcase_add_test(tc, defaults_read_the_setup);
    tcase_add_test(tc, invalid_answer_is_not_saved);
    tcase_add_test(tc, computed_defaults_are_saved_at_start);
    tcase_add_test(tc, removing_a_member_persists);
    tcase_add_test(tc, a_member_added_drops_only_its_own_strays);
    tcase_add_test(tc, finalise_refuses_until_complete);
    tcase_add_test(tc, simulation_is_valid_and_reproducible);
    tcase_add_test(tc, a_blank_new_interview_is_not_kept);
    tcase_add_test(tc, a_count_beyond_the_limit_is_refused);
    tcase_add_test(tc, a_complete_interviews_unlisted_number_is_asked);
    return check_run(s);
}
