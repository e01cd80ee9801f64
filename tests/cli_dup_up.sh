#!/bin/sh
# Duplicate decisions travel upstream, sealed: a laptop sends two
# interviews of one household (the same key) to its commune office, which
# decides they are the same household and keeps one (duplicates --same
# --keep); the office's bundle to the province carries the decision, and
# the province lists the pair decided, counts it decided in its report and
# leaves the superseded interview out, as the office does.  The same
# bundle again changes nothing; a newer decision (--different, then
# --reopen) replaces the older, each worth a bundle of its own; merged in
# the other order at a second province, the older decision does not
# replace the newer.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
P="$TMP/province.db"
P2="$TMP/province2.db"
A="$TMP/A.db"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 3 --seed 61 >/dev/null
X=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
Y=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
key() { sqlite3 "$A" "SELECT value FROM answers WHERE interview = '$1' AND qid = '$2' AND path = ''"; }
for q in village hh_no; do
    "$K" answer --db "$A" "$Y" "$q" "$(key "$X" "$q")" >/dev/null 2>&1
done
"$K" finalise --db "$A" "$Y" >/dev/null 2>&1 || fail "Y finalised"
office_pair office A
"$K" keys export --db "$P" --role office --name "Sở NN" --to "$TMP/province.card" 2>/dev/null
"$K" keys trust --db "$P" --yes --accept "$TMP/office.card" >/dev/null 2>&1 || fail "P trusts O"
"$K" keys trust --db "$O" --yes --upstream "$TMP/province.card" >/dev/null 2>&1 || fail "O trusts P"
# The second province: the same one before any merge (its own copy).
sqlite3 "$P" ".backup '$P2'"

# up DIR: the office's bundle for the province, written to a fresh DIR;
# its path in $UP.
up() {
    mkdir -p "$TMP/$1"
    run "$K" export --db "$O" --to "$TMP/$1"
    expect_status 0
    UP=$(cat "$TMP/out")
}
# report_has DB TEXT: the report of DB says TEXT.
report_has() {
    run "$K" report --db "$1" --forms "$FORMS"
    expect_status 0
    tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF "$2" ||
        fail "$(basename "$1")'s report does not say '$2': $(grep -i "duplicat" "$TMP/out")"
}

run "$K" duplicates --db "$O"
expect_out_contains "$X"
run "$K" duplicates --db "$O" --same "$X" "$Y" --keep "$X"
expect_status 0
report_has "$O" "Duplicates found by merging: 1 pair(s): 0 to decide, 1 the same household, 0 different households"
report_has "$O" "Superseded duplicates left out: 1"

# The office's bundle carries the decision; the province counts the pair
# as the office does.
up up1
UP1=$UP
run "$K" merge --db "$P" --forms "$FORMS" "$UP1"
expect_status 0
expect_out_contains "added 3"
expect_out_contains "1 decision(s) of the office that sent it on possible duplicates kept"
run "$K" duplicates --db "$P"
expect_status 0
expect_out_contains "[same household: $X kept]"
report_has "$P" "Duplicates found by merging: 1 pair(s): 0 to decide, 1 the same household, 0 different households"
report_has "$P" "Superseded duplicates left out: 1"
run "$K" csv --db "$P" --forms "$FORMS" --out "$TMP/csv"
expect_status 0
ks_checks=$((ks_checks + 1))
grep -rq "$Y" "$TMP/csv" && fail "the superseded interview is in the province's CSV"
grep -rq "$X" "$TMP/csv" || fail "the kept interview is not in the province's CSV"

# The same bundle again: nothing changes.
afterP=$(db_digest "$P")
run "$K" merge --db "$P" "$UP1"
expect_status 0
expect_same "$P" "$afterP" "the same office bundle again"

# A newer decision, alone, is worth a bundle and replaces the older.
run "$K" duplicates --db "$O" --different "$X" "$Y"
expect_status 0
up up2
UP2=$UP
expect_err_contains "khaosat export: 0 interviews"
run "$K" merge --db "$P" "$UP2"
expect_status 0
expect_out_contains "1 decision(s) of the office that sent it on possible duplicates kept"
run "$K" duplicates --db "$P"
expect_out_contains "[different households]"
report_has "$P" "Duplicates found by merging: 1 pair(s): 0 to decide, 0 the same household, 1 different households"
run "$K" report --db "$P" --forms "$FORMS"
ks_checks=$((ks_checks + 1))
grep -q "Superseded duplicates left out" "$TMP/out" && fail "still one superseded at the province"
# Taken back at the office: the province has the pair open again.
run "$K" duplicates --db "$O" --reopen "$X" "$Y"
expect_status 0
up up3
UP3=$UP
run "$K" merge --db "$P" "$UP3"
expect_status 0
expect_out_contains "1 decision(s) of the office that sent it on possible duplicates taken back: those pairs are to decide again"
ks_checks=$((ks_checks + 1))
grep -q "decision(s) of the office that sent it on possible duplicates kept" "$TMP/out" &&
    fail "a decision taken back is said kept: $(cat "$TMP/out")"
report_has "$P" "Duplicates found by merging: 1 pair(s): 1 to decide, 0 the same household, 0 different households"
run "$K" duplicates --db "$P"
ks_checks=$((ks_checks + 1))
grep -q "different households\|same household" "$TMP/out" && fail "the pair is still decided: $(cat "$TMP/out")"
# Nothing new at the office: no bundle.
mkdir -p "$TMP/up4"
run "$K" export --db "$O" --to "$TMP/up4"
expect_status 0
expect_err_contains "no interviews to export"

# A second province takes the newest bundle first: the older decisions
# merged after it change nothing of the pair.
run "$K" merge --db "$P2" --forms "$FORMS" "$UP1"
expect_status 0
run "$K" merge --db "$P2" "$UP3"
expect_status 0
before=$(sqlite3 "$P2" "SELECT coalesce(decision, 'open') || ' ' || decided FROM duplicates")
run "$K" merge --db "$P2" "$UP2"
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$P2" "SELECT coalesce(decision, 'open') || ' ' || decided FROM duplicates")" = "$before" ] ||
    fail "an older decision replaced a newer one: $(sqlite3 "$P2" "SELECT * FROM duplicates")"
case "$before" in open*) ;; *) fail "the second province does not have the pair open: $before" ;; esac

# Second pass: decided again and sent up; then the laptop changes Y's
# household number and changes it back, each sent to the office.  The
# key change made the office judge the pair again: it is open there, and
# the office's next bundle takes the decision back at the province too.
run "$K" duplicates --db "$O" --same "$X" "$Y" --keep "$X"
expect_status 0
up up5
run "$K" merge --db "$P" "$UP"
expect_status 0
run "$K" duplicates --db "$P"
expect_out_contains "[same household: $X kept]"
hh=$(key "$Y" hh_no)
for n in 9999 "$hh"; do
    run "$K" answer --db "$A" "$Y" hh_no "$n"
    expect_status 0
    run "$K" finalise --db "$A" "$Y"
    expect_status 0
    rm -rf "$TMP/lap"; mkdir -p "$TMP/lap"
    run "$K" export --db "$A" --to "$TMP/lap"
    expect_status 0
    run "$K" merge --db "$O" --forms "$FORMS" "$TMP/lap"
    expect_status 0
done
run "$K" duplicates --db "$O"
expect_out_contains "$Y"
ks_checks=$((ks_checks + 1))
grep -q "same household" "$TMP/out" && fail "the office kept its decision over a key change: $(cat "$TMP/out")"
up up6
run "$K" merge --db "$P" "$UP"
expect_status 0
run "$K" duplicates --db "$P"
expect_out_contains "$Y"
ks_checks=$((ks_checks + 1))
grep -q "same household" "$TMP/out" && fail "the province kept a decision the office no longer has: $(cat "$TMP/out")"
report_has "$P" "Duplicates found by merging: 1"
# The same bundle again changes nothing.
afterP=$(db_digest "$P")
run "$K" merge --db "$P" "$UP"
expect_status 0
expect_same "$P" "$afterP" "the office's bundle again"

finish
