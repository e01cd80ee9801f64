#!/bin/sh
# tui_setup_recode.sh: an office corrects its commune code on its set-up
# screen (S, then c); its next bundle for the province, merged with m on
# the province's home screen, replaces the old code's set-up there, which
# the summary says, and the interviews it sent before count as of the
# new code.  The same directory again changes nothing.  A province that
# merges the bundle of before the correction last keeps the newer set-up,
# the summary naming the older one as older; again, nothing changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-setup-recode-$$
K="$KHAOSAT"
O="$TMP/office.db"
P="$TMP/province.db"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 2 --seed 9 >/dev/null 2>&1
office_pair office A
"$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 >/dev/null 2>&1 ||
    fail "setup commune"
"$K" keys export --db "$P" --role office --name "Sở NN" --to "$TMP/province.card" 2>/dev/null
"$K" keys trust --db "$P" --yes --accept "$TMP/office.card" >/dev/null 2>&1 || fail "P trusts O"
"$K" keys trust --db "$O" --yes --upstream "$TMP/province.card" >/dev/null 2>&1 || fail "O trusts P"
mkdir -p "$TMP/u1" "$TMP/u2"
"$K" export --db "$O" --to "$TMP/u1" >/dev/null 2>&1 || fail "O exports"
# A second province with the same key, that gets the office's bundles
# the other way round (section 4).
cp "$P" "$TMP/p2.db"
run "$K" merge --db "$P" --forms "$FORMS" "$TMP/u1"
expect_status 0
expect_out_contains "added 2"

# first_run: the first-run questions of a database the commands made.
first_run() {
    wait_for "Tiếng Việt"
    key Down Enter
    wait_for "Enumerator name or code"
    text "$1"; key Enter
    text "$2"; key Enter
    wait_for "b browse"
}

# --- 1. the office corrects its code on the set-up screen.
DB=$O
start_screen "$O"
first_run "Giám sát Hà" "Xã Đông Hòa"
key S
wait_for "Commune: 26734  Xã Đông Hòa"
key c
wait_for "Commune code (five digits"
ask 26737
wait_for "Commune name:"
key Enter
wait_for "Commune set-up: the province"
key Enter
wait_for "Commune: 26737  Xã Đông Hòa"
wait_for "The commune is saved."
expect_sql "SELECT value FROM settings WHERE key = 'setup_commune_code'" "26737"
key Escape
wait_for "b browse"
key q
wait_exit 0
run "$K" export --db "$O" --to "$TMP/u2"
expect_status 0

# --- 2. the province merges it on its screen.
DB=$P
start_screen "$P"
first_run "Sở Nông nghiệp" "Tỉnh Một"
key m
wait_for "Directory with the bundles"
ask "$TMP/u2"
wait_for "1 bundles: 1 merged, 0 already merged, 0 refused, 0 skipped." 10
whole "the set-up of commune 26737 kept in place of that of commune 26734, which the same office sent before"
key q
run "$K" setup --db "$P" --communes
expect_out "$(printf '26737\tXã Đông Hòa\t01\t2\t0\t0')"
expect_sql "SELECT group_concat(DISTINCT commune) FROM bundles" "26737"

# --- 3. the same directory again: nothing changes.
before=$(db_digest "$P")
key m
wait_for "Directory with the bundles"
ask "$TMP/u2"
wait_for "1 bundles: 0 merged, 1 already merged, 0 refused, 0 skipped." 10
key q
expect_same "$P" "$before" "the corrected office's bundle again, on the screen"
key q
wait_exit 0

# --- 4. the other order: the bundle of before the correction merged
# last, on the screen; twice.
P2=$TMP/p2.db
run "$K" merge --db "$P2" --forms "$FORMS" "$TMP/u2"
expect_status 0
DB=$P2
start_screen "$P2"
first_run "Sở Nông nghiệp" "Tỉnh Một"
key m
wait_for "Directory with the bundles"
ask "$TMP/u1"
wait_for "1 bundles: 1 merged, 0 already merged, 0 refused, 0 skipped." 10
whole "the set-up of commune 26734 (sequence 1) is older than the set-up of commune 26737 that the same office sent in a later bundle, merged here already"
whole "the interviews of this bundle count as of commune 26737"
key q
run "$K" setup --db "$P2" --communes
expect_out "$(printf '26737\tXã Đông Hòa\t01\t2\t0\t0')"
expect_sql "SELECT group_concat(DISTINCT commune) FROM bundles" "26737"
before=$(db_digest "$P2")
key m
wait_for "Directory with the bundles"
ask "$TMP/u1"
wait_for "1 bundles: 0 merged, 1 already merged, 0 refused, 0 skipped." 10
key q
expect_same "$P2" "$before" "the older bundle again, on the screen"
key q
wait_exit 0

finish
