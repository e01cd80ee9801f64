#!/bin/sh
# tui_dup_clock.sh: the office's clock was once ahead (a decision and a
# return made by the command with SOURCE_DATE_EPOCH in 2028); decided
# again and approved on the supervisor's screen with the clock right, each
# is stamped just after the earlier one (so the later wins upstream), and
# so is a second decision on the screen.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-dupclock-$$
K="$KHAOSAT"
DB=$TMP/office.db
FUTURE=1830297600   # 2028-01-01T00:00:00Z

mkdir -p "$TMP/usb"
for l in A C; do
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
[ "$(sqlite3 "$DB" "SELECT count(*) FROM duplicates")" = 1 ] || fail "one pair expected"
short() { echo "$1" | cut -c1-8; }
run env SOURCE_DATE_EPOCH=$FUTURE "$K" duplicates --db "$DB" --different "$U1" "$U2"
expect_status 0
run env SOURCE_DATE_EPOCH=$FUTURE "$K" review --db "$DB" "$U1" --return --comment "Xem lại"
expect_status 0

start_screen "$DB"
wait_for "b browse"
key c
wait_for "Open conflicts"
key d
wait_for "Possible duplicates: 1"
key s
wait_for "[same: $(short "$U1") kept]"
expect_sql "SELECT decision || ' ' || keep || ' ' || decided FROM duplicates" "same $U1 2028-01-01T00:00:00.001Z"
# Second pass: the other one kept, later still.
key S
wait_for "[same: $(short "$U2") kept]"
expect_sql "SELECT decision || ' ' || keep || ' ' || decided FROM duplicates" "same $U2 2028-01-01T00:00:00.002Z"
# The first interview approved from the pair's view: after the return.
key Enter
wait_for "a approve"
key a
wait_for "Approved."
expect_sql "SELECT status || ' ' || time FROM reviews WHERE interview = '$U1'" "approved 2028-01-01T00:00:00.001Z"
key Escape
wait_for "Possible duplicates: 1"
key Escape
key Escape
wait_for "b browse"
key q
wait_exit 0
run "$K" duplicates --db "$DB"
expect_out_contains "[same household: $U2 kept]"
finish
