#!/bin/sh
# khaosat backup and restore: consistent copies taken while a merge is
# running, checked round trips (sqlite3 .dump digests), sealed backups with
# and without their keys, and every refusal leaving the database as it was.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT
export KHAOSAT_PASSPHRASE="mật khẩu của xã"
dump() { sqlite3 "$1" .dump | sha256sum; }
# count DB TABLE: the rows of a table.
count() { sqlite3 "$1" "SELECT count(*) FROM $2"; }

# Data made in memory when the machine has it: the test is about backups,
# not about how fast this disk syncs every answer.
FAST=$TMP
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    FAST=$(mktemp -d /dev/shm/khaosat-backup.XXXXXX)
    trap 'rm -rf "$TMP" "$FAST"' EXIT
fi

# --- 60 bundles of 5 interviews each, from one laptop.
NB=60
mkdir "$FAST/usb"
for i in $(seq 1 $NB); do
    "$K" simulate --db "$FAST/lap.db" --forms "$FORMS" --form household --count 5 --seed "$i" >/dev/null 2>&1
    "$K" export --db "$FAST/lap.db" --to "$FAST/usb" >/dev/null 2>&1 || fail "export $i"
done
[ "$(ls "$FAST/usb" | wc -l)" = $NB ] || fail "expected $NB bundles"

# --- Backups while the office merges them in the background.
O="$FAST/office.db"
"$K" forms accept --db "$O" "$(ls "$FAST"/usb/*.khb | head -n 1)" >/dev/null 2>&1 || fail "forms accept"
"$K" merge --db "$O" "$(ls "$FAST"/usb/*.khb | head -n 1)" >/dev/null 2>&1 || fail "first merge"
"$K" merge --db "$O" "$FAST/usb" >"$TMP/merge.out" 2>&1 &
mpid=$!
n=0
while kill -0 "$mpid" 2>/dev/null && [ $n -lt 40 ]; do
    n=$((n + 1))
    "$K" backup --db "$O" --to "$TMP/during$n.kbk" >/dev/null 2>"$TMP/during$n.err" ||
        fail "backup $n during the merge: $(cat "$TMP/during$n.err")"
done
wait "$mpid" || fail "the merge failed: $(cat "$TMP/merge.out")"
[ "$(count "$O" bundles)" = $NB ] || fail "the merge did not take every bundle"
[ $n -gt 0 ] || fail "no backup ran during the merge"
partial=0
i=1
while [ $i -le $n ]; do
    run "$K" restore --db "$TMP/r$i.db" "$TMP/during$i.kbk"
    expect_status 0
    expect_out_contains "checked"
    b=$(count "$TMP/r$i.db" bundles)
    v=$(count "$TMP/r$i.db" interviews)
    # One transaction per bundle: a copy holds whole bundles only.
    [ "$v" = $((b * 5)) ] || fail "backup $i: $v interviews for $b bundles"
    [ "$(sqlite3 "$TMP/r$i.db" 'PRAGMA integrity_check')" = ok ] || fail "backup $i damaged"
    [ "$b" -gt 0 ] && [ "$b" -lt $NB ] && partial=$((partial + 1))
    rm -f "$TMP/r$i.db"
    i=$((i + 1))
done
[ $partial -gt 0 ] || echo "note: no backup caught the merge half-way ($n taken)"
echo "$n backups during the merge, $partial of them half-way"

# --- Round trip: the restored database dumps exactly like the office's.
# The office has keys now: its backups are sealed for them.
"$K" keys export --db "$O" --role office --name "UBND xã Đông Hòa" --to "$TMP/office.card" >/dev/null 2>&1
run "$K" backup --db "$O" --to "$TMP/full.kbk" --with-keys
expect_status 0
expect_out_contains "$((NB * 5)) interviews of $O, checked after writing"
expect_out_contains "sealed for this database's key"
expect_out_contains "with its keys"
[ "$(stat -c %a "$TMP/full.kbk")" = 600 ] || fail "a backup readable by others"
grep -q "^body: sealed" "$TMP/full.kbk" || fail "not sealed"
# Sealed: no answer can be read from the file.
sqlite3 "$O" "SELECT value FROM answers WHERE length(value) > 6 LIMIT 1" > "$TMP/word"
grep -qF "$(cat "$TMP/word")" "$TMP/full.kbk" && fail "an answer readable in the sealed backup"
run "$K" restore --db "$TMP/new/office.db" "$TMP/full.kbk"
expect_status 0
expect_err_contains "created a new database $TMP/new/office.db"
[ "$(dump "$TMP/new/office.db")" = "$(dump "$O")" ] || fail "round trip changed the data"
# The restored office is the office: same keys, opens its own bundles.
run "$K" keys list --db "$TMP/new/office.db"
expect_status 0
expect_out_contains "$(sed -n 's/^fingerprint: //p' "$TMP/office.card")"

# A plain backup of a database without keys, round trip too.
run "$K" backup --db "$FAST/lap.db" --to "$TMP/lap.kbk"
expect_status 0
expect_out_contains "not sealed"
run "$K" restore --db "$TMP/lap2.db" "$TMP/lap.kbk"
expect_status 0
[ "$(dump "$TMP/lap2.db")" = "$(dump "$FAST/lap.db")" ] || fail "plain round trip changed the data"

# --- Refusals; each leaves the target exactly as it was.
R="$TMP/new/office.db"
before=$(dump "$R")
# A database with interviews is not replaced without --replace.
run "$K" restore --db "$R" "$TMP/lap.kbk"
expect_status 1
expect_err_contains "$R already holds $((NB * 5)) interviews: restoring would replace them"
expect_err_contains "use --replace"
[ "$(dump "$R")" = "$before" ] || fail "a refused restore changed the database"
# ... nor one changed after the backup was made: that work would be lost.
sqlite3 "$R" "UPDATE interviews SET updated = '2999-01-01T00:00:00Z' WHERE rowid = 1"
before=$(dump "$R")
run "$K" restore --db "$R" "$TMP/full.kbk"
expect_status 1
expect_err_contains "changed as late as 2999-01-01T00:00:00Z, after this backup was made"
[ "$(dump "$R")" = "$before" ] || fail "a refused restore changed the database"
# Not a backup.
printf 'not a backup at all\n' > "$TMP/junk.kbk"
run "$K" restore --db "$TMP/none.db" "$TMP/junk.kbk"
expect_status 1
expect_err_contains "$TMP/junk.kbk: not a khaosat backup, or a damaged one"
[ ! -e "$TMP/none.db" ] || fail "a refused restore created the database"
# Altered in the middle, or cut short.
cp "$TMP/lap.kbk" "$TMP/altered.kbk"
size=$(stat -c %s "$TMP/altered.kbk")
printf '\377' | dd of="$TMP/altered.kbk" bs=1 seek=$((size - 3000)) conv=notrunc 2>/dev/null
cmp -s "$TMP/lap.kbk" "$TMP/altered.kbk" && printf '\376' | dd of="$TMP/altered.kbk" bs=1 seek=$((size - 3000)) conv=notrunc 2>/dev/null
run "$K" restore --db "$TMP/none.db" "$TMP/altered.kbk"
expect_status 1
expect_err_contains "$TMP/altered.kbk: altered or damaged after it was written"
[ ! -e "$TMP/none.db" ] || fail "an altered backup was restored"
cp "$TMP/full.kbk" "$TMP/altered2.kbk"
size=$(stat -c %s "$TMP/altered2.kbk")
printf 'X' | dd of="$TMP/altered2.kbk" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
# (One time in 256 that byte was an X already: then a Y alters it.)
cmp -s "$TMP/full.kbk" "$TMP/altered2.kbk" && printf 'Y' | dd of="$TMP/altered2.kbk" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run "$K" restore --db "$TMP/none.db" "$TMP/altered2.kbk"
expect_status 1
expect_err_contains "$TMP/altered2.kbk: altered or damaged after it was written"
head -c $((size / 2)) "$TMP/full.kbk" > "$TMP/short.kbk"
run "$K" restore --db "$TMP/none.db" "$TMP/short.kbk"
expect_status 1
expect_err_contains "$TMP/short.kbk: "
[ ! -e "$TMP/none.db" ] || fail "a cut backup was restored"
# The keys inside need the right passphrase; without keys, sealed is closed.
run env KHAOSAT_PASSPHRASE="sai mật khẩu" "$K" restore --db "$TMP/none.db" "$TMP/full.kbk"
expect_status 1
expect_err_contains "wrong passphrase"
"$K" backup --db "$O" --to "$TMP/nokeys.kbk" >/dev/null 2>&1
run "$K" restore --db "$TMP/none.db" "$TMP/nokeys.kbk"
expect_status 1
expect_err_contains "whose keys are neither here nor in the backup"
[ ! -e "$TMP/none.db" ] || fail "a refused restore created the database"
# ... but with the keys restored first, it opens.
"$K" keys backup --db "$O" --to "$TMP/office.keys" >/dev/null 2>&1
"$K" keys restore --db "$TMP/k.db" "$TMP/office.keys" >/dev/null 2>&1
run "$K" restore --db "$TMP/k.db" "$TMP/nokeys.kbk"
expect_status 0
[ "$(dump "$TMP/k.db")" = "$(dump "$O")" ] || fail "restore after keys restore differs"
# A database open in another program is not replaced under it.
"$K" conflicts --db "$TMP/lap2.db" >/dev/null
# The reader holds on long enough for the restore to reach the check:
# opening the keys inside takes Argon2id's MODERATE costs, seconds on a
# loaded machine.  It is stopped as soon as the restore is refused.
( echo "BEGIN; SELECT count(*) FROM interviews;"; echo ".shell touch $TMP/held"
  sleep 12; echo "COMMIT;" ) | sqlite3 "$TMP/lap2.db" >/dev/null &
spid=$!
n=0
while [ ! -e "$TMP/held" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
before=$(sqlite3 "$TMP/lap2.db" "SELECT count(*) FROM interviews")
run "$K" restore --replace --db "$TMP/lap2.db" "$TMP/full.kbk"
expect_status 1
expect_err_contains "$TMP/lap2.db is open in another khaosat"
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
[ "$(count "$TMP/lap2.db" interviews)" = "$before" ] || fail "an open database was replaced"
# --replace replaces.
run "$K" restore --replace --db "$R" "$TMP/full.kbk"
expect_status 0
[ "$(dump "$R")" = "$(dump "$O")" ] || fail "--replace did not restore the backup"
# A backup into a folder that does not exist names it.
run "$K" backup --db "$O" --to "$TMP/nowhere/b.kbk"
expect_status 1
expect_err_contains "$TMP/nowhere: cannot create a file there"
# --- A backup never writes over a file that is not an older data backup.
S="$TMP/small.db"
"$K" simulate --db "$S" --forms "$FORMS" --form household --count 5 --seed 1 >/dev/null 2>&1 || fail "simulate small"
cp "$TMP/office.keys" "$TMP/small.keys" || fail "no key backup"
printf 'notes of the day\n' >"$TMP/notes.txt"
for f in small.keys notes.txt; do
    before=$(sha256sum <"$TMP/$f")
    run "$K" backup --db "$S" --to "$TMP/$f"
    expect_status 1
    expect_err_contains "$TMP/$f"
    expect_err_contains "give another name"
    [ "$(sha256sum <"$TMP/$f")" = "$before" ] || fail "backup wrote over $f"
done
run "$K" backup --db "$S" --to "$TMP/small.keys"
expect_err_contains "is a khaosat key backup"
run "$K" backup --db "$S" --to "$TMP/notes.txt"
expect_err_contains "is not a khaosat data backup"
# An older data backup is replaced.
run "$K" backup --db "$S" --to "$TMP/small.kbk"
expect_status 0
run "$K" backup --db "$S" --to "$TMP/small.kbk"
expect_status 0
# The names SQLite gives a database's side files are refused (SQLite
# would remove the backup), and nothing is written.
sd=$(db_digest "$S")
for side in -wal -journal -shm; do
    run "$K" backup --db "$S" --to "$S$side"
    expect_status 1
    expect_err_contains "$S$side: a name ending in $side"
    [ -e "$S$side" ] && fail "a backup was written as $S$side"
done
[ "$(db_digest "$S")" = "$sd" ] || fail "a refused backup changed the database"
# A plain backup whose database was given a trigger (checksum made
# again) is refused, as is one with a table khaosat does not make: once
# restored they would run, or be kept, inside the laptop's database.
"$K" backup --db "$S" --to "$TMP/plain.kbk" >/dev/null 2>&1 || fail "plain backup"
# plant FILE SQL: the backup FILE with SQL run on its database, as evil.kbk.
plant() {
    hl=$(sed -n '1,/^$/p' "$1" | wc -c)
    head -c "$hl" "$1" >"$TMP/head.txt"
    tail -c +$((hl + 1)) "$1" >"$TMP/body.db"
    sqlite3 "$TMP/body.db" "$2"
    sum=$(sha256sum <"$TMP/body.db" | cut -d' ' -f1)
    sed "s/^body-sha256: .*/body-sha256: $sum/" "$TMP/head.txt" >"$TMP/evil.kbk"
    cat "$TMP/body.db" >>"$TMP/evil.kbk"
}
cp "$S" "$TMP/target.db"
td=$(db_digest "$TMP/target.db")
plant "$TMP/plain.kbk" "CREATE TRIGGER evil AFTER UPDATE ON interviews BEGIN DELETE FROM answers; END;"
for db in "$TMP/fresh.db" "$TMP/target.db"; do
    run "$K" restore --replace --db "$db" "$TMP/evil.kbk"
    expect_status 1
    expect_err_contains 'holds a trigger "evil" that khaosat does not make'
done
[ ! -e "$TMP/fresh.db" ] || fail "a planted trigger was restored"
[ "$(db_digest "$TMP/target.db")" = "$td" ] || fail "a refused restore changed the database"
plant "$TMP/plain.kbk" "CREATE TABLE extra (x); CREATE VIEW v AS SELECT 1;"
run "$K" restore --db "$TMP/fresh.db" "$TMP/evil.kbk"
expect_status 1
expect_err_contains 'holds a table "extra" that khaosat does not make'
[ ! -e "$TMP/fresh.db" ] || fail "a planted table was restored"
# The same backup, untouched, restores.
run "$K" restore --db "$TMP/fresh.db" "$TMP/plain.kbk"
expect_status 0
[ "$(db_digest "$TMP/fresh.db")" = "$(db_digest "$S")" ] || fail "the plain backup did not restore"
# No room (a file size limit stands in for a full disk): the backup and
# the restore name the file the user gave and say what to do.
sd=$(db_digest "$S")
run sh -c "trap '' XFSZ; ulimit -f 200; exec \"\$@\"" sh "$K" backup --db "$S" --to "$TMP/nospace.kbk"
expect_status 1
expect_err_contains "$TMP/nospace.kbk: not written: "
expect_err_contains "the disk is full or the file would be too large"
expect_err_contains "free some space there, or choose another place"
grep -q "not an error" "$TMP/err" && fail "a full disk said: $(cat "$TMP/err")"
[ -e "$TMP/nospace.kbk" ] && fail "a backup without room left a file"
[ "$(db_digest "$S")" = "$sd" ] || fail "a backup without room changed the database"
run sh -c "trap '' XFSZ; ulimit -f 200; exec \"\$@\"" sh "$K" restore --db "$TMP/nospace.db" "$TMP/plain.kbk"
expect_status 1
expect_err_contains "$TMP/nospace.db: not restored: the disk is full"
grep -q "/\.khaosat-" "$TMP/err" && fail "a full disk named a temporary: $(cat "$TMP/err")"
[ -e "$TMP/nospace.db" ] && fail "a restore without room left a database"
# Usage.
run "$K" restore
expect_status 2
run "$K" backup --db "$O"
expect_status 2

finish
