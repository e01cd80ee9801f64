#!/bin/sh
# tui_setup_up.sh: the communes' set-ups reach the province through its
# screen.  Two commune offices (villages TH01-TH03 and XA01-XA03, not the
# forms' fallback 01-30) send their bundles up; the province merges them
# with m on its home screen, which says each commune's set-up was kept;
# the same directory again changes nothing; a bundle of commune 2
# answering commune 1's village is refused on the screen with the
# province's database unchanged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-setup-up-$$
K="$KHAOSAT"
P="$TMP/province.db"
DB=$P
mkdir -p "$TMP/up" "$TMP/evil"

# commune N CODE NAME PREFIX: office oN and laptop lN set up with the
# villages PREFIX01..PREFIX03, two interviews merged at the office, the
# office's bundle for the province in $TMP/up.
commune() {
    printf 'code,name\n%s01,Thôn %s Một\n%s02,Thôn %s Hai\n%s03,Thôn %s Ba\n' \
        "$4" "$3" "$4" "$3" "$4" "$3" >"$TMP/v$1.csv"
    "$K" setup --db "$TMP/o$1.db" commune --code "$2" --name "$3" --province 01 >/dev/null 2>&1 ||
        fail "setup commune $2"
    "$K" setup --db "$TMP/o$1.db" villages "$TMP/v$1.csv" >/dev/null 2>&1 || fail "villages $2"
    # Signed by the office's key, which the province accepts: a plain
    # bundle's set-up is refused.
    "$K" keys export --db "$TMP/o$1.db" --role office --name "UBND $3" --to "$TMP/o$1.card" >/dev/null 2>&1 ||
        fail "o$1's card"
    "$K" keys trust --db "$TMP/o$1.db" "$TMP/province.card" --upstream --yes >/dev/null 2>&1 ||
        fail "o$1 trusts the province"
    "$K" keys trust --db "$P" "$TMP/o$1.card" --accept --yes >/dev/null 2>&1 ||
        fail "the province accepts o$1"
    laptop "l$1" "Người $1" "$3"
    "$K" setup --db "$TMP/l$1.db" villages "$TMP/v$1.csv" >/dev/null 2>&1 || fail "laptop villages $2"
    "$K" simulate --db "$TMP/l$1.db" --forms "$FORMS" --form household --count 2 --seed "4$1" >/dev/null
    mkdir -p "$TMP/l$1up"
    "$K" export --db "$TMP/l$1.db" --to "$TMP/l$1up" >/dev/null 2>&1 || fail "l$1 exports"
    "$K" merge --db "$TMP/o$1.db" --forms "$FORMS" "$TMP/l$1up" >/dev/null 2>&1 || fail "o$1 merges"
    "$K" export --db "$TMP/o$1.db" --to "$TMP/up" >/dev/null 2>&1 || fail "o$1 exports"
}
"$K" keys export --db "$P" --role office --name "Sở NN" --to "$TMP/province.card" >/dev/null 2>&1 ||
    fail "the province's card"
commune 1 26734 "Xã Đông Hòa" TH
commune 2 26735 "Xã Tây Sơn" XA

# --- 1. the province's first run, then m on the offices' bundles.
start_screen "$P"
wait_for "Tiếng Việt"
key Down Enter
wait_for "Enumerator name or code"
text "Sở Nông nghiệp"; key Enter
text "Tỉnh Một"; key Enter
wait_for "b browse"
key m
wait_for "Directory with the bundles"
ask "$TMP/up"
wait_for "2 bundles: 2 merged, 0 already merged, 0 refused, 0 skipped." 10
wait_for "the set-up of 1 commune(s) kept"
expect_sql "SELECT count(*) FROM interviews" "4"
expect_sql "SELECT group_concat(code || '=' || name, ';') FROM (SELECT code, name FROM commune_villages WHERE commune = '26735' ORDER BY code)" \
    "XA01=Thôn Xã Tây Sơn Một;XA02=Thôn Xã Tây Sơn Hai;XA03=Thôn Xã Tây Sơn Ba"
run "$K" setup --db "$P" --communes
expect_out "$(printf '26734\tXã Đông Hòa\t01\t1\t3\t0\n26735\tXã Tây Sơn\t01\t1\t3\t0')"
key q

# --- 2. the same directory again: nothing changes.
before=$(db_digest "$P")
key m
wait_for "Directory with the bundles"
ask "$TMP/up"
wait_for "2 bundles: 0 merged, 2 already merged, 0 refused, 0 skipped." 10
key q
expect_same "$P" "$before" "the same bundles again on the screen"

# --- 3. commune 2's office sends commune 1's village: refused.
U=$(sqlite3 "$TMP/l2.db" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
sqlite3 "$TMP/o2.db" "UPDATE answers SET value = 'TH01' WHERE interview = '$U' AND qid = 'village'"
"$K" answer --db "$TMP/o2.db" "$U" hh_no 88 >/dev/null 2>&1
"$K" export --db "$TMP/o2.db" --drafts --to "$TMP/evil" >/dev/null 2>&1 || fail "o2 exports the forged change"
key m
wait_for "Directory with the bundles"
ask "$TMP/evil"
wait_for "1 bundles: 0 merged, 0 already merged, 1 refused, 0 skipped." 10
wait_for "TH01"
key q
expect_same "$P" "$before" "commune 1's village in commune 2's interview, on the screen"
key q
wait_exit 0

finish
