/* bench_core.c: speed of the form loader and the expression engine, each
 * next to its floor measured in the same run (machines are noisy; ratios
 * are what to compare across runs).
 *
 * 1. A generated 2,000-question form: form_load_file (parse, build, bind,
 *    check) against libyaml's bare event parse of the same file.
 * 2. Expression evaluations per second on typical relevance, constraint and
 *    calculation expressions. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "core/expr.h"
#include "core/form.h"
#include "core/util.h"

/* Monotonic seconds. */
static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Write a form with n questions of mixed types, with relevance and
 * constraints that refer to earlier questions, to path. */
static void bench_write_form(const char *path, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "form:\n  id: bench\n  version: \"1\"\n"
               "  title: {vi: \"Phiếu thử\", en: \"Bench form\"}\n"
               "  languages: [vi, en]\n"
               "choices:\n  yesno:\n"
               "    - {value: \"1\", label: {vi: \"Có\", en: \"Yes\"}}\n"
               "    - {value: \"0\", label: {vi: \"Không\", en: \"No\"}}\n"
               "questions:\n");
    for (int i = 0; i < n; i++) {
        fprintf(f, "  - id: q%d\n", i);
        switch (i % 4) {
        case 0:
            fprintf(f, "    type: integer\n"
                       "    constraint: \". >= 0 and . <= 100\"\n"
                       "    constraint_message: {vi: \"Từ 0 đến 100\", en: \"0 to 100\"}\n");
            break;
        case 1:
            fprintf(f, "    type: select_one yesno\n"
                       "    relevant: \"${q%d} > 10\"\n", i - 1);
            break;
        case 2:
            fprintf(f, "    type: text\n"
                       "    relevant: \"${q%d} = '1'\"\n"
                       "    hint: {vi: \"Ghi rõ\", en: \"Specify\"}\n", i - 1);
            break;
        default:
            fprintf(f, "    type: calculate\n"
                       "    calculation: \"if(${q%d} = '1', ${q%d} * 2, 0)\"\n",
                    i - 2, i - 3);
            continue;
        }
        fprintf(f, "    label: {vi: \"Câu hỏi số %d của hộ\", en: \"Question %d\"}\n",
                i, i);
    }
    fclose(f);
}

/* libyaml's bare parse: every event read and discarded. */
static void bench_yaml_floor(const char *path)
{
    FILE *f = fopen(path, "rb");
    yaml_parser_t p;
    yaml_event_t ev;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    int done = 0;
    while (!done) {
        if (!yaml_parser_parse(&p, &ev))
            break;
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    fclose(f);
}

/* Best of `reps` timings of one load, and of one floor parse. */
static void bench_form_load(int nq, int reps)
{
    char path[] = "/tmp/khaosat-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    close(fd);
    bench_write_form(path, nq);
    double best_load = INFINITY, best_floor = INFINITY;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        bench_yaml_floor(path);
        double t1 = bench_now();
        diag_list d;
        diag_init(&d);
        form *fm = form_load_file(path, &d);
        double t2 = bench_now();
        if (!fm || d.n) {
            char *m = d.n ? diag_format(&d.v[0]) : xstrdup("no form");
            fprintf(stderr, "bench form failed to load: %s\n", m);
            exit(1);
        }
        form_free(fm);
        diag_free(&d);
        if (t1 - t0 < best_floor)
            best_floor = t1 - t0;
        if (t2 - t1 < best_load)
            best_load = t2 - t1;
    }
    unlink(path);
    printf("form load (%d questions): %.2f ms; libyaml bare parse: %.2f ms; "
           "ratio %.2fx (goal <= 2x)\n",
           nq, best_load * 1e3, best_floor * 1e3, best_load / best_floor);
}

static const char *const bench_names[] = {"age", "size", "pay", "name"};

/* Resolver over bench_names. */
static int bench_resolve(void *ctx, const char *name, int bare)
{
    for (int i = 0; i < 4; i++)
        if (!bare && !strcmp(name, bench_names[i]))
            return i;
    return -1;
}

/* Answers: age 34, size 5, pay "bank qr", name "Nguyễn Văn An". */
static void bench_lookup(void *ctx, int id, value *out)
{
    switch (id) {
    case 0: *out = val_number(34); break;
    case 1: *out = val_number(5); break;
    case 2: *out = val_string("bank qr"); break;
    case EXPR_REF_SELF: *out = val_number(34); break;
    default: *out = val_string("Nguyễn Văn An"); break;
    }
}

/* Evaluations per second of a few typical expressions. */
static void bench_eval(long n)
{
    static const char *const srcs[] = {
        "${age} >= 15 and ${age} <= 60",
        ". >= 0 and . <= 120",
        "selected(${pay}, 'qr') or count-selected(${pay}) > 2",
        "if(${size} > 0, round(${age} div ${size}, 2), 0)",
        "concat(${name}, ' (', string(${age}), ')')",
    };
    size_t ns = sizeof srcs / sizeof *srcs;
    expr *ex[8];
    for (size_t i = 0; i < ns; i++) {
        expr_error err = {0, NULL};
        if (expr_parse(srcs[i], &ex[i], &err) ||
            expr_bind(ex[i], bench_resolve, NULL, &err)) {
            fprintf(stderr, "bench expression %zu: %s\n", i, err.msg);
            exit(1);
        }
    }
    expr_env env = {.lookup = bench_lookup};
    double t0 = bench_now();
    long sink = 0;
    for (long k = 0; k < n; k++) {
        value v;
        expr_eval(ex[k % ns], &env, &v);
        sink += v.type;
        val_free(&v);
    }
    double t = bench_now() - t0;
    for (size_t i = 0; i < ns; i++)
        expr_free(ex[i]);
    printf("expression evaluation: %.0f evaluations/s (%.0f ns each, %ld)\n",
           n / t, t / n * 1e9, sink % 2);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    bench_form_load(2000, quick ? 2 : 9);
    bench_eval(quick ? 100000 : 2000000);
    return 0;
}
