#!/bin/sh
# The commune's set-up travels upstream, sealed: two communes with their
# own villages (TH01-TH07 and XA01-XA05, not the forms' fallback 01-30),
# a laptop in each answering with its commune's codes, each office merging
# its laptop and sending its bundle up; the province checks each
# interview's village against the set-up of its own commune and lists the
# set-ups it keeps (khaosat setup --communes, --commune CODE).  The same
# bundle again changes nothing; a newer one with a renamed village
# replaces the set-up; an older one does not bring it back; one commune's
# villages never validate another's answers; hostile set-ups (control
# characters, oversize names, bad codes) are refused with the province
# unchanged.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
P="$TMP/province.db"
mkdir -p "$TMP/evil"

# commune N CODE NAME PREFIX COUNT: office oN (set up with villages
# PREFIX01..PREFIX0COUNT) and laptop lN with the same villages and three
# simulated interviews, trusting each other and the province.
commune() {
    c_o="$TMP/o$1.db"
    c_l="$TMP/l$1.db"
    printf 'code,name\n' >"$TMP/v$1.csv"
    i=1
    while [ "$i" -le "$5" ]; do
        printf '%s0%d,Thôn %s %d\n' "$4" "$i" "$3" "$i" >>"$TMP/v$1.csv"
        i=$((i + 1))
    done
    "$K" setup --db "$c_o" commune --code "$2" --name "$3" --province 01 >/dev/null 2>&1 ||
        fail "setup commune $2"
    "$K" setup --db "$c_o" villages "$TMP/v$1.csv" >/dev/null 2>&1 || fail "villages $2"
    laptop "l$1" "Người $1" "$3"
    "$K" setup --db "$c_l" villages "$TMP/v$1.csv" >/dev/null 2>&1 || fail "laptop villages $2"
    "$K" simulate --db "$c_l" --forms "$FORMS" --form household --count 3 --seed "3$1" >/dev/null ||
        fail "simulate $2"
    "$K" keys export --db "$c_o" --role office --name "UBND $3" --commune "$3" --to "$TMP/o$1.card" 2>/dev/null
    "$K" keys export --db "$c_l" --to "$TMP/l$1.card" 2>/dev/null
    "$K" keys trust --db "$c_l" --yes "$TMP/o$1.card" >/dev/null 2>&1 || fail "l$1 trusts o$1"
    "$K" keys trust --db "$c_o" --yes "$TMP/l$1.card" >/dev/null 2>&1 || fail "o$1 trusts l$1"
    "$K" keys trust --db "$c_o" --yes --upstream "$TMP/province.card" >/dev/null 2>&1 || fail "o$1 trusts P"
    "$K" keys trust --db "$P" --yes --accept "$TMP/o$1.card" >/dev/null 2>&1 || fail "P trusts o$1"
    mkdir -p "$TMP/up$1"
    "$K" export --db "$c_l" --to "$TMP/up$1" >/dev/null 2>&1 || fail "l$1 exports"
    run "$K" merge --db "$c_o" --forms "$FORMS" "$TMP/up$1"
    expect_status 0
    expect_out_contains "added 3"
}

"$K" keys export --db "$P" --role office --name "Sở NN" --commune "Tỉnh Một" --to "$TMP/province.card" 2>/dev/null
commune 1 26734 "Xã Đông Hòa" TH 7
commune 2 26735 "Xã Tây Sơn" XA 5
# Office 2's bundles name its commune otherwise than its set-up does: the
# province still knows them for that set-up's commune.
sqlite3 "$TMP/o2.db" "INSERT OR REPLACE INTO settings VALUES ('commune', 'UBND Tây Sơn')"
# The laptops answered with their set-up's codes.
[ "$(sqlite3 "$TMP/l1.db" "SELECT count(*) FROM answers WHERE qid = 'village' AND value LIKE 'TH%'")" = 3 ] ||
    fail "laptop 1 answers with TH codes"
[ "$(sqlite3 "$TMP/l2.db" "SELECT count(*) FROM answers WHERE qid = 'village' AND value LIKE 'XA%'")" = 3 ] ||
    fail "laptop 2 answers with XA codes"

# Each office sends its bundle up: it carries the commune's set-up.
mkdir -p "$TMP/upO1" "$TMP/upO2"
run "$K" export --db "$TMP/o1.db" --to "$TMP/upO1"
expect_status 0
UP1=$(cat "$TMP/out")
run "$K" export --db "$TMP/o2.db" --to "$TMP/upO2"
expect_status 0
UP2=$(cat "$TMP/out")
ks_checks=$((ks_checks + 1))
if grep -aq "Thôn Xã Đông Hòa" "$UP1"; then fail "village names readable in the sealed bundle"; fi

# The province takes both: each commune's answers checked against its
# own villages.
run "$K" merge --db "$P" --forms "$FORMS" "$UP1"
expect_status 0
expect_out_contains "added 3"
expect_out_contains "the set-up of 1 commune(s) kept"
run "$K" merge --db "$P" --forms "$FORMS" "$UP2"
expect_status 0
expect_out_contains "added 3"
run "$K" setup --db "$P" --communes
expect_status 0
expect_out "$(printf '26734\tXã Đông Hòa\t01\t1\t7\t0\n26735\tXã Tây Sơn\t01\t1\t5\t0')"
run "$K" setup --db "$P" --commune 26735
expect_status 0
expect_out_contains "$(printf 'XA05\tThôn Xã Tây Sơn 5\t\t0')"
run "$K" setup --db "$P" --commune 99999
expect_status 1
expect_err_contains "no set-up of commune 99999 kept here"
run "$K" report --db "$P" --forms "$FORMS"
expect_status 0

# The same bundle again: nothing changes.
afterP=$(db_digest "$P")
run "$K" merge --db "$P" "$UP1"
expect_status 0
expect_out_contains "already merged on"
expect_out_contains "; nothing changed"
expect_same "$P" "$afterP" "the same office bundle again"

# Nothing new at the office: no bundle.  A renamed village is worth one,
# and the province takes the newer set-up.
mkdir -p "$TMP/upO1b" "$TMP/upO1c"
run "$K" export --db "$TMP/o1.db" --to "$TMP/upO1b"
expect_err_contains "no interviews to export"
sed 's/Thôn Xã Đông Hòa 3/Thôn Ba Mới/' "$TMP/v1.csv" >"$TMP/v1b.csv"
"$K" setup --db "$TMP/o1.db" villages "$TMP/v1b.csv" >/dev/null 2>&1 || fail "rename a village"
run "$K" export --db "$TMP/o1.db" --to "$TMP/upO1b"
expect_status 0
expect_err_contains "khaosat export: 0 interviews"
UP1B=$(cat "$TMP/out")
run "$K" merge --db "$P" "$UP1B"
expect_status 0
expect_out_contains "the set-up of 1 commune(s) kept"
run "$K" setup --db "$P" --commune 26734
expect_out_contains "$(printf '26734\tXã Đông Hòa\t01\t2\t7\t0')"
expect_out_contains "$(printf 'TH03\tThôn Ba Mới')"
# The older bundle after the newer one: the set-up is not rolled back.
afterP=$(db_digest "$P")
cp "$UP1" "$TMP/evil/older.khb"
run "$K" merge --db "$P" "$TMP/evil/older.khb"
expect_same "$P" "$afterP" "an older office bundle after a newer one"
# Nothing changed since: no bundle.
run "$K" export --db "$TMP/o1.db" --to "$TMP/upO1c"
expect_err_contains "no interviews to export"

# One commune's villages never validate another's answers: an interview
# of commune 2 answering TH01 is refused at the province, unchanged.
U=$(sqlite3 "$TMP/l2.db" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
run "$K" answer --db "$TMP/o2.db" "$U" village XA04
expect_status 0
mkdir -p "$TMP/upO2b"
"$K" export --db "$TMP/o2.db" --drafts --to "$TMP/upO2b" >"$TMP/o2b.out" 2>/dev/null || fail "o2 exports a change"
run "$K" merge --db "$P" "$(cat "$TMP/o2b.out")"
expect_status 0
expect_out_contains "updated 1"
[ "$(sqlite3 "$P" "SELECT value FROM answers WHERE interview = '$U' AND qid = 'village'")" = XA04 ] ||
    fail "the province takes XA04 for commune 2"
# A forged office database sends TH01 for commune 2: refused.
sqlite3 "$TMP/o2.db" "UPDATE answers SET value = 'TH01' WHERE interview = '$U' AND qid = 'village'"
run "$K" answer --db "$TMP/o2.db" "$U" hh_no 77
mkdir -p "$TMP/upO2c"
"$K" export --db "$TMP/o2.db" --drafts --to "$TMP/upO2c" >"$TMP/o2c.out" 2>/dev/null || fail "o2 exports the forged change"
beforeP=$(db_digest "$P")
run "$K" merge --db "$P" "$(cat "$TMP/o2c.out")"
expect_status 1
expect_err_contains "question village: \"TH01\" is"
expect_same "$P" "$beforeP" "commune 1's village in commune 2's interview"
sqlite3 "$TMP/o2.db" "UPDATE answers SET value = 'XA04' WHERE interview = '$U' AND qid = 'village'"

# A forged office database whose set-up breaks the rules cannot even
# write its bundle: the writer checks it as the province would (the
# province's refusals of such bundles are in check_hostile.c).
cp "$TMP/o1.db" "$TMP/evil/control.db"
sqlite3 "$TMP/evil/control.db" "UPDATE villages SET name = 'Thôn ' || char(27) || '[31m' WHERE code = 'TH02'"
mkdir -p "$TMP/evil/control"
run "$K" export --db "$TMP/evil/control.db" --to "$TMP/evil/control"
expect_status 1
expect_err_contains "table setup_villages, row 2: the village's name holds a control character"
[ -z "$(ls "$TMP/evil/control")" ] || fail "a bundle with a control character in a village's name"

finish
