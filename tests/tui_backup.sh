#!/bin/sh
# tui_backup.sh: backing up from the home screen (key B) while the screen
# has the database open, twice (the second replaces the day's file), a
# backup by the command while the screen is open, and a backup refused for
# a folder that is not there; each backup restored and compared with
# sqlite3 .dump.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-backup-$$
K="$KHAOSAT"
DB=$TMP/office/office.db
dump() { sqlite3 "$1" .dump | sha256sum; }

# start: the office screen on $DB (tui_lib.sh).
start() { start_screen "$DB"; }

laptop office "Giám sát Hà" "Xã Đông Hòa"
mkdir "$TMP/office"
mv "$TMP/office.db" "$DB"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 4 --seed 3 >/dev/null
mkdir "$TMP/usb"
day=$(date +%Y-%m-%d)

# 0. A backup killed half-way (kill -9 at its first sync, tests/powercut)
# leaves a copy of the database beside it; opening the screen sweeps it.
PC=$(dirname "$KHAOSAT")/../tests/powercut
swept=
if [ -x "$PC" ] && [ -f "$PC.so" ] && ! ldd "$K" 2>/dev/null | grep -q libasan; then
    "$PC" init "$TMP/office" "$TMP/pcstate"
    env LD_PRELOAD="$PC.so" POWERCUT_DIR="$TMP/office" POWERCUT_STATE="$TMP/pcstate" \
        POWERCUT_AT=1 timeout 120 "$K" backup --db "$DB" --to "$TMP/usb/killed.kbk" >/dev/null 2>&1
    ks_checks=$((ks_checks + 1))
    [ -n "$(ls -A "$TMP/office" | grep '^\.khaosat-')" ] || fail "the killed backup left nothing to sweep"
    swept=1
fi
before=$(db_digest "$DB")
start
wait_for "b browse"
if [ -n "$swept" ]; then
    ks_checks=$((ks_checks + 1))
    [ -z "$(ls -A "$TMP/office" | grep '^\.khaosat-')" ] || fail "the screen did not sweep: $(ls -A "$TMP/office")"
    [ "$(db_digest "$DB")" = "$before" ] || fail "the killed backup changed the database"
fi
# 1. The first backup from the screen.
key B
wait_for "Directory to write the backup to"
ask "$TMP/usb"
wait_for "4 interviews backed up to" 10
wait_for "read back and checked"
key q
[ -f "$TMP/usb/khaosat-$day.kbk" ] || fail "no backup file for today"
run "$K" restore --db "$TMP/r1.db" "$TMP/usb/khaosat-$day.kbk"
expect_status 0
[ "$(dump "$TMP/r1.db")" = "$(dump "$DB")" ] || fail "the screen's backup differs"

# 2. More data (by the command, while the screen is open), a second backup
# the same day replaces the file.
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 2 --seed 4 >/dev/null
key B
wait_for "Directory to write the backup to"
ask "$TMP/usb"
wait_for "6 interviews backed up to" 10
key q
[ "$(ls "$TMP/usb" | wc -l)" = 1 ] || fail "leftovers on the stick: $(ls -A "$TMP/usb")"
run "$K" restore --db "$TMP/r2.db" "$TMP/usb/khaosat-$day.kbk"
expect_status 0
[ "$(dump "$TMP/r2.db")" = "$(dump "$DB")" ] || fail "the second backup differs"

# 3. The command backs up while the screen has the database open.
run "$K" backup --db "$DB" --to "$TMP/cmd.kbk"
expect_status 0
run "$K" restore --db "$TMP/r3.db" "$TMP/cmd.kbk"
expect_status 0
[ "$(dump "$TMP/r3.db")" = "$(dump "$DB")" ] || fail "backup beside the screen differs"

# 4. Once the database has keys the backup is sealed, without them: the
# screen says restoring needs this database's keys and how to keep them,
# as the command does.
"$K" keys export --db "$DB" --to "$TMP/office.card" >/dev/null 2>&1
mkdir "$TMP/usb2"
key B
wait_for "Directory to write the backup to"
ask "$TMP/usb2"
wait_for "6 interviews backed up to" 10
wait_for "does not hold the keys"
wait_for "khaosat keys backup"
key q
run "$K" backup --db "$DB" --to "$TMP/cmd2.kbk"
expect_status 0
expect_out_contains "does not hold the keys: restoring it needs this database's keys"

# 5. A folder that is not there: refused, nothing written.
key B
wait_for "Directory to write the backup to"
ask "$TMP/nowhere"
wait_for "The folder $TMP/nowhere does not exist: create it first,"
wait_for "or choose another folder."
key q
[ ! -e "$TMP/nowhere" ] || fail "a backup to a missing folder made it"
# ... and a file given as the folder: not a directory.
key B
wait_for "Directory to write the backup to"
ask "$TMP/cmd.kbk"
wait_for "$TMP/cmd.kbk is not a directory."
key q
wait_for "b browse"
key q
wait_exit 0

finish
