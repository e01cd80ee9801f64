#!/bin/sh
# Before a report writes any stored figure, it checks that it can be made
# as asked: several communes and no --commune, or an unknown one, is
# refused with the database exactly as it was.  A report definition's
# comments and layout are not a change (nothing recomputed); any change
# of what it says is (recomputed, and said so).
. "$(dirname "$0")/lib.sh"
K=$KHAOSAT

for i in 1 2; do
    laptop "x$i" "Điều tra viên $i" "Xã số $i"
    "$K" simulate --db "$TMP/x$i.db" --forms "$FORMS" --form commune --count 1 --seed "$i" >/dev/null
    "$K" simulate --db "$TMP/x$i.db" --forms "$FORMS" --form household --count 8 --seed "$((i + 10))" >/dev/null
    mkdir -p "$TMP/st$i"
    "$K" export --db "$TMP/x$i.db" --to "$TMP/st$i" >/dev/null 2>&1 || fail "export of commune $i"
done
laptop P "Sở Nông nghiệp" "Tỉnh Nam"
"$K" forms accept --db "$TMP/P.db" "$TMP"/st1/* >/dev/null 2>&1 || fail "forms accept"
"$K" merge --db "$TMP/P.db" "$TMP"/st1/* "$TMP"/st2/* >/dev/null 2>&1 || fail "merge"
code1=$(sqlite3 "$TMP/x1.db" "SELECT value FROM answers WHERE qid = 'commune_code' AND path = ''")
# As a database from before the stored figures, or after another
# definition: every interview's figures to compute again.
sqlite3 "$TMP/P.db" "DELETE FROM report_units"

# --- a report that cannot be made writes nothing -------------------------
before=$(db_digest "$TMP/P.db")
run "$K" report --db "$TMP/P.db" --forms "$FORMS"
expect_status 1
expect_err_contains "the database holds 2 communes"
expect_err_contains "choose one with --commune"
grep -q "recomputing" "$TMP/err" && fail "figures recomputed before the refusal: $(cat "$TMP/err")"
expect_same "$TMP/P.db" "$before" "a refused report (several communes)"
run "$K" report --db "$TMP/P.db" --forms "$FORMS" --commune 99999
expect_status 1
expect_err_contains "no complete commune interview with key '99999'"
expect_same "$TMP/P.db" "$before" "a refused report (unknown commune)"
# One that can be made stores them.
n=$(sqlite3 "$TMP/P.db" "SELECT count(*) FROM interviews WHERE status = 'complete' AND form_id <> 'commune'")
run "$K" report --db "$TMP/P.db" --forms "$FORMS" --commune "$code1"
expect_status 0
[ "$(sqlite3 "$TMP/P.db" "SELECT count(*) FROM report_units")" = "$n" ] ||
    fail "the figures were not stored: $(sqlite3 "$TMP/P.db" "SELECT count(*) FROM report_units") of $n"
run "$K" report --db "$TMP/P.db" --forms "$FORMS" --communes
expect_status 0
[ -s "$TMP/err" ] && fail "figures recomputed again: $(cat "$TMP/err")"

# --- comments and layout are not a change ---------------------------------
cp "$FORMS/report.yaml" "$TMP/comment.yaml"
printf '# a note for the next reader\n' >> "$TMP/comment.yaml"
sed 's/^\(  min_units: 30\)$/\1   # at least thirty/' "$TMP/comment.yaml" > "$TMP/c2.yaml"
grep -q "at least thirty" "$TMP/c2.yaml" || fail "test data: the comment was not added"
before=$(db_digest "$TMP/P.db")
run "$K" report --db "$TMP/P.db" --forms "$FORMS" --report "$TMP/c2.yaml" --communes
expect_status 0
[ -s "$TMP/err" ] && fail "a comment recomputed the figures: $(cat "$TMP/err")"
expect_same "$TMP/P.db" "$before" "a report with a commented definition"
# What it says changed: recomputed, and said.
sed 's/^  min_units: 30$/  min_units: 31/' "$FORMS/report.yaml" > "$TMP/changed.yaml"
run "$K" report --db "$TMP/P.db" --forms "$FORMS" --report "$TMP/changed.yaml" --communes
expect_status 0
expect_err_contains "report definition changed: recomputing figures for $n interviews"
# And back: the same again (figures are kept for one definition).
run "$K" report --db "$TMP/P.db" --forms "$FORMS" --communes
expect_status 0
expect_err_contains "report definition changed: recomputing figures for $n interviews"

finish
