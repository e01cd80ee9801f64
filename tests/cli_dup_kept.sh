#!/bin/sh
# One interview of a household is kept, whatever the order of the
# decisions: three interviews of one household (X, Y, Z), decided a pair
# at a time (X kept over Y, Y over Z, Z over X), never all superseded:
# the interview the newest decision keeps is the household's, the others
# superseded, and the command says which interviews changed.  The same
# at the province when its own decision and an office's (written by an
# older khaosat, which let a chain supersede every interview) would
# leave no interview kept: the merge keeps one and says so.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
P="$TMP/province.db"
A="$TMP/A.db"

# kept_of DB: the interviews of the household listed as not superseded.
kept_of() {
    "$K" list --db "$1" | grep -E "^($X|$Y|$Z)	" | grep -v "	superseded	" | cut -f1 | sort
}
# one_kept DB WHO: exactly WHO of X, Y, Z is listed kept in DB.
one_kept() {
    ks_checks=$((ks_checks + 1))
    k=$(kept_of "$1")
    [ "$k" = "$2" ] || fail "$(basename "$1"): expected only $2 kept, got '$k'"
}

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 4 --seed 81 >/dev/null
X=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
Y=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
Z=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 2")
key() { sqlite3 "$A" "SELECT value FROM answers WHERE interview = '$1' AND qid = '$2' AND path = ''"; }
for u in "$Y" "$Z"; do
    for q in village hh_no; do
        "$K" answer --db "$A" "$u" "$q" "$(key "$X" "$q")" >/dev/null 2>&1
    done
    "$K" finalise --db "$A" "$u" >/dev/null 2>&1 || fail "$u finalised"
done
office_pair office A
"$K" keys export --db "$P" --role office --name "Sở NN" --to "$TMP/province.card" 2>/dev/null
"$K" keys trust --db "$P" --yes --accept "$TMP/office.card" >/dev/null 2>&1 || fail "P trusts O"
"$K" keys trust --db "$O" --yes --upstream "$TMP/province.card" >/dev/null 2>&1 || fail "O trusts P"
run "$K" duplicates --db "$O"
[ "$(grep -c . "$TMP/out")" = 3 ] || fail "three pairs of one household: $(cat "$TMP/out")"

# X kept over Y: nothing else changes, nothing more said (Z is still
# only a possible duplicate).
run "$K" duplicates --db "$O" --same "$X" "$Y" --keep "$X"
expect_status 0
expect_out ""
one_kept "$O" "$(printf '%s\n' "$X" "$Z" | sort)"
# Y kept over Z: Y is the household's now, X superseded (said).
run "$K" duplicates --db "$O" --same "$Y" "$Z" --keep "$Y"
expect_status 0
expect_out_contains "$X: now superseded: the same household as $Y"
expect_out_contains "$Y: now kept"
one_kept "$O" "$Y"
# Z kept over X: Z is the household's; never all three superseded.
run "$K" duplicates --db "$O" --same "$Z" "$X" --keep "$Z"
expect_status 0
expect_out_contains "$Y: now superseded: the same household as $Z"
one_kept "$O" "$Z"
run "$K" report --db "$O" --forms "$FORMS" --lang en
tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF "Superseded duplicates left out: 2" ||
    fail "the office's report: $(grep -i superseded "$TMP/out")"
run "$K" csv --db "$O" --forms "$FORMS" --out "$TMP/csv"
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(cat "$TMP"/csv/household.csv | grep -c "$X\|$Y\|$Z")" = 1 ] ||
    fail "the household is not in the CSV once: $(grep -c "$X\|$Y\|$Z" "$TMP/csv/household.csv")"
grep -q "$Z" "$TMP/csv/household.csv" || fail "the kept interview is not in the CSV"
# Different households taken back, a pair reopened: still one kept among
# those still linked (Y and Z stay linked to X's household through Z).
run "$K" duplicates --db "$O" --reopen "$Z" "$X"
expect_status 0
run "$K" duplicates --db "$O"
run "$K" list --db "$O"
ks_checks=$((ks_checks + 1))
[ "$(kept_of "$O" | grep -c .)" -ge 1 ] || fail "reopened: no interview kept"
# Decided again as the same household, Z kept: as before.
run "$K" duplicates --db "$O" --same "$X" "$Z" --keep "$Z"
expect_status 0
one_kept "$O" "$Z"

# The province: its own decision, then an office whose older khaosat
# wrote a chain (X kept over Y, Y over Z) that with the province's
# (Z over X) supersedes every interview.
mkdir -p "$TMP/up1" "$TMP/up2"
"$K" export --db "$O" --to "$TMP/up1" >/dev/null 2>&1 || fail "office exports"
run "$K" merge --db "$P" --forms "$FORMS" "$TMP/up1"
expect_status 0
one_kept "$P" "$Z"
run "$K" duplicates --db "$P" --same "$X" "$Z" --keep "$Z"
expect_status 0
T=$(date -u +%Y-%m-%dT%H:%M:%S.999Z)
pair() { if [ "$1" \< "$2" ]; then echo "a = '$1' AND b = '$2'"; else echo "a = '$2' AND b = '$1'"; fi; }
sqlite3 "$O" "UPDATE duplicates SET decision = 'same', keep = '$X', decided = '$T' WHERE $(pair "$X" "$Y");
              UPDATE duplicates SET decision = 'same', keep = '$Y', decided = '$T' WHERE $(pair "$Y" "$Z");
              UPDATE duplicates SET decision = 'different', keep = NULL, decided = '$T' WHERE $(pair "$X" "$Z");"
sqlite3 "$P" "UPDATE duplicates SET decided = '$T' WHERE $(pair "$X" "$Z")"
run "$K" export --db "$O" --to "$TMP/up2" --all
expect_status 0
before=$(db_digest "$P")
run "$K" merge --db "$P" --forms "$FORMS" "$TMP/up2"
expect_status 0
expect_out_contains "1 household(s) of possible duplicates"
one_kept "$P" "$Y"
run "$K" report --db "$P" --forms "$FORMS" --lang en
tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF "Superseded duplicates left out: 2" ||
    fail "the province's report: $(grep -i superseded "$TMP/out")"
# The same bundle again: nothing changes.
after=$(db_digest "$P")
[ "$after" != "$before" ] || fail "the merge changed nothing"
run "$K" merge --db "$P" "$TMP/up2"
expect_status 0
expect_same "$P" "$after" "the same office bundle again"

finish
