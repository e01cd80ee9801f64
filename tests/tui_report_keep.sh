#!/bin/sh
# tui_report_keep.sh: the report screen (R) stores the figures it needs
# first, as `khaosat report` does (report_prepare): a database without
# them (from before the stored figures) gets them, and says so above the
# report; a second visit finds them and changes nothing; a forms folder
# whose report definition says something else computes them again, and
# says that the definition changed; a comment in it does not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"
SOCK=khaosat-rkeep-$$
K=$KHAOSAT

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
sqlite3 "$TMP/A.db" "INSERT INTO settings VALUES ('ui_lang', 'en')"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form commune --count 1 --seed 3 >/dev/null
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 20 --seed 4 >/dev/null
DB=$TMP/A.db
nfig=$(sqlite3 "$DB" "SELECT count(*) FROM interviews WHERE status = 'complete' AND form_id <> 'commune'")
"$K" report --db "$DB" --forms "$FORMS" --lang en > "$TMP/kept.txt" 2>/dev/null
sqlite3 "$DB" "DELETE FROM report_units"
stored() { sqlite3 "$DB" "SELECT count(*) FROM report_units"; }

# report_visit WANT: R, the report with WANT above it, then back home.
report_visit() {
    key R
    wait_for "Report" 20
    wait_for "$1" 20
    key q
    wait_for "b browse"
}

# --- 1. figures missing: computed, stored, said ----------------------------
tui_run rkeep 80 24
wait_for "b browse"
report_visit "Computing the figures of $nfig interviews for the first time."
ks_checks=$((ks_checks + 1))
[ "$(stored)" = "$nfig" ] || fail "the screen stored $(stored) of $nfig interviews' figures"
# The command now finds them all: nothing more to compute, the same report.
run "$K" report --db "$DB" --forms "$FORMS" --lang en
expect_status 0
[ -s "$TMP/err" ] && fail "figures computed again after the screen: $(cat "$TMP/err")"
# (the time it was made aside)
grep -v '^Generated:' "$TMP/out" > "$TMP/now.txt"
grep -v '^Generated:' "$TMP/kept.txt" > "$TMP/kept0.txt"
cmp -s "$TMP/now.txt" "$TMP/kept0.txt" || fail "the report differs from the one before: $(diff "$TMP/kept0.txt" "$TMP/now.txt" | head -5)"

# --- 2. a second visit: nothing to compute, nothing said, nothing changed --
before=$(db_digest "$DB")
key R
wait_for "Report" 20
wait_for "Selection conditions" 20
screen | grep -q "figures" && fail "a second visit still speaks of figures: $(screen | head -3)"
key q
wait_for "b browse"
expect_same "$DB" "$before" "a second visit to the report screen"
key q
wait_exit 0

# --- 3. another definition: recomputed and said; a comment: nothing -------
mkdir "$TMP/forms2"
cp "$FORMS"/*.yaml "$TMP/forms2/"
printf '# a note for the next reader\n' >> "$TMP/forms2/report.yaml"
before=$(db_digest "$DB")
FORMS=$TMP/forms2 tui_run rkeep 80 24
wait_for "b browse"
key R
wait_for "Selection conditions" 20
screen | grep -q "figures" && fail "a comment recomputed the figures: $(screen | head -3)"
key q
wait_for "b browse"
expect_same "$DB" "$before" "a comment in the definition"
key q
wait_exit 0
sed -i 's/^  min_units: 30$/  min_units: 31/' "$TMP/forms2/report.yaml"
grep -q "min_units: 31" "$TMP/forms2/report.yaml" || fail "test data: min_units not changed"
FORMS=$TMP/forms2 tui_run rkeep 80 24
wait_for "b browse"
report_visit "Report definition changed: recomputing figures for $nfig"
key q
wait_exit 0
# The command on the installed definition: changed back, recomputed.
run "$K" report --db "$DB" --forms "$FORMS" --lang en
expect_err_contains "report definition changed: recomputing figures for $nfig interviews"

finish
