#!/bin/sh
# tui_dup_kept.sh: three interviews of one household settled a pair at a
# time on the supervisor's screen (c, then d), as `khaosat duplicates`
# does: the decision that would leave two interviews of the household
# kept, or none, makes the one it keeps the household's, the others
# superseded, and the screen says which interviews changed, with the
# command's words; the command then lists what the screen recorded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-dupkept-$$
K="$KHAOSAT"
DB=$TMP/office.db

mkdir -p "$TMP/usb"
for l in A C E; do
    laptop "$l" "Điều tra viên $l" "Xã Đông Hòa"
    "$K" simulate --db "$TMP/$l.db" --forms "$FORMS" --form household --count 1 --seed 31 >/dev/null
    "$K" export --db "$TMP/$l.db" --to "$TMP/usb" >/dev/null 2>&1
done
"$K" forms accept --db "$DB" "$TMP"/usb/*.khb >/dev/null 2>&1 || fail "forms accept"
"$K" merge --db "$DB" "$TMP/usb" >/dev/null 2>&1 || fail "merge"
sqlite3 "$DB" "INSERT INTO settings VALUES ('enumerator', 'Giám sát Hà');
               INSERT INTO settings VALUES ('commune', 'Xã Đông Hòa');"
U1=$(sqlite3 "$DB" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
U2=$(sqlite3 "$DB" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
U3=$(sqlite3 "$DB" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 2")
[ "$(sqlite3 "$DB" "SELECT count(*) FROM duplicates")" = 3 ] || fail "three pairs expected"
short() { echo "$1" | cut -c1-8; }
# kept: the interviews listed as not superseded.
kept() { "$K" list --db "$DB" | grep -v "	superseded	" | cut -f1 | sort | tr '\n' ' '; }

start_screen "$DB"
wait_for "b browse"
key c
wait_for "Open conflicts"
key d
wait_for "Possible duplicates: 3"
# (U1, U2): U1 kept.
key s
wait_for "[same: $(short "$U1") kept]"
# (U1, U3): U3 kept: U1 and U2 superseded, nothing else to change.
key Down
key S
wait_for "[same: $(short "$U3") kept]"
ks_checks=$((ks_checks + 1))
[ "$(kept)" = "$U3 " ] || fail "after (U1, U3): kept $(kept)"
# (U2, U3): U2 kept: it becomes the household's (U1 kept it no more),
# U3 superseded; the screen says what else changed.
key Down
key s
wait_for "The same household"
whole "$U2: now kept"
key q
wait_for "Possible duplicates: 3"
ks_checks=$((ks_checks + 1))
[ "$(kept)" = "$U2 " ] || fail "after (U2, U3): kept $(kept)"
expect_sql "SELECT keep FROM duplicates WHERE a = '$U1' AND b = '$U2'" "$U2"
# The second pass: (U1, U3) again, U1 kept: U1 the household's.
key Up
key s
wait_for "The same household"
whole "$U1: now kept"
whole "$U2: now superseded: the same household as $U1"
key q
ks_checks=$((ks_checks + 1))
[ "$(kept)" = "$U1 " ] || fail "after (U1, U3) again: kept $(kept)"
run "$K" duplicates --db "$DB"
expect_out_contains "[same household: $U1 kept]"
key Escape
key Escape
wait_for "b browse"
key q
wait_exit 0
finish
