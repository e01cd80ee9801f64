#!/bin/sh
# tui_dups.sh: a pair of possible duplicates settled on the supervisor's
# screen (c, then d): kept as the same household, then marked different,
# then reopened, each decision read back from the database as
# `khaosat duplicates` records it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-dups-$$
K="$KHAOSAT"
DB=$TMP/office.db

mkdir -p "$TMP/usb"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop C "Trần Cường" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 1 --seed 31 >/dev/null
"$K" simulate --db "$TMP/C.db" --forms "$FORMS" --form household --count 1 --seed 31 >/dev/null
"$K" export --db "$TMP/A.db" --to "$TMP/usb" >/dev/null 2>&1
"$K" export --db "$TMP/C.db" --to "$TMP/usb" >/dev/null 2>&1
"$K" forms accept --db "$DB" "$TMP"/usb/*.khb >/dev/null 2>&1 || fail "forms accept"
"$K" merge --db "$DB" "$TMP/usb" >/dev/null 2>&1 || fail "merge"
sqlite3 "$DB" "INSERT INTO settings VALUES ('enumerator', 'Giám sát Hà');
               INSERT INTO settings VALUES ('commune', 'Xã Đông Hòa');"
A=$(sqlite3 "$DB" "SELECT a FROM duplicates")
B=$(sqlite3 "$DB" "SELECT b FROM duplicates")
[ -n "$A" ] && [ -n "$B" ] || fail "no pair to settle"

start_screen "$DB"
wait_for "b browse"
key c
wait_for "Open conflicts"
key d
wait_for "Possible duplicates: 1"
wait_for ": $(echo "$A" | cut -c1-8) (by "
key s
wait_for "[same: $(echo "$A" | cut -c1-8) kept]"
expect_sql "SELECT decision || ' ' || keep FROM duplicates" "same $A"
key S
wait_for "[same: $(echo "$B" | cut -c1-8) kept]"
expect_sql "SELECT keep FROM duplicates" "$B"
key n
wait_for "[different]"
expect_sql "SELECT decision || '/' || coalesce(keep, '') FROM duplicates" "different/"
key o
wait_gone "[different]"
expect_sql "SELECT coalesce(decision, 'open') FROM duplicates" "open"
# The command sees what the screen recorded, and the second pass holds.
key S
wait_for "[same: $(echo "$B" | cut -c1-8) kept]"
run "$K" duplicates --db "$DB"
expect_out_contains "[same household: $B kept]"
key Escape
key Escape
wait_for "b browse"
key q
wait_exit 0
finish
