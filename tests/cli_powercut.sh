#!/bin/sh
# Power cuts (tests/powercut.c): the power goes at each fsync in turn
# during merges, backups, a stream of answers, report --sync and csv
# --sync; the disk
# is then rebuilt with only what was synced, and nothing acknowledged may be
# missing and no database may fail integrity_check.  A first check shows
# that the harness does drop what was never synced.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT
PC=$(dirname "$KHAOSAT")/../tests/powercut
[ -x "$PC" ] && [ -f "$PC.so" ] || { echo "tests/powercut not built"; exit 77; }
case "$(ldd "$K" 2>/dev/null)" in *libasan*) echo "ASan build: skipped"; exit 77 ;; esac

FAST=$TMP
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    FAST=$(mktemp -d /dev/shm/khaosat-powercut.XXXXXX)
    trap 'rm -rf "$TMP" "$FAST"' EXIT
fi
W=$FAST/w           # the disk the commands write
P=$FAST/pristine    # W before each run
ST=$FAST/state      # what was synced (tests/powercut.c)
OUT=$FAST/out       # the disk after the cut
dump() { sqlite3 "$1" .dump | sha256sum; }
ok_db() { [ "$(sqlite3 "$1" 'PRAGMA integrity_check' 2>&1)" = ok ]; }

# cut N SCRIPT: reset W, run the shell script SCRIPT (as sh -c, with $K,
# $W and $FAST set) with the power cut at sync N (0: no cut), and rebuild
# the disk in OUT.  The syncs counted are left in $syncs.
cut() {
    rm -rf "$W" "$ST" "$OUT"
    cp -a "$P" "$W"
    "$PC" init "$W" "$ST"
    rm -f "$FAST/acked"
    env LD_PRELOAD="$PC.so" POWERCUT_DIR="$W" POWERCUT_STATE="$ST" \
        POWERCUT_AT="$1" K="$K" W="$W" FAST="$FAST" FORMS="$FORMS" \
        sh -c "$2" >/dev/null 2>&1
    syncs=$(cat "$ST/count" 2>/dev/null || echo 0)
    "$PC" rebuild "$ST" "$OUT"
}

# every SCRIPT CHECK: cut at every sync of SCRIPT in turn and run the
# shell function CHECK after each (then once without a cut).  The checks
# must not use the variables at and total.
every() {
    cut 0 "$1"
    total=$syncs
    [ "$total" -gt 0 ] || fail "no sync counted: the shim is not working"
    at=1
    while [ $at -le "$total" ]; do
        ks_checks=$((ks_checks + 1))
        cut $at "$1"
        $2 "$at"
        at=$((at + 1))
    done
    cut 0 "$1"
    $2 none
    echo "$total cuts"
}

# --- The harness: a file written and renamed without syncs is gone.
mkdir -p "$P"
cut 1 'printf data > "$W/plain.tmp"; mv "$W/plain.tmp" "$W/plain.txt";
       dd if=/dev/zero of="$W/synced" bs=1 count=1 conv=fsync 2>/dev/null'
[ -e "$W/plain.txt" ] || fail "the script did not run"
[ -e "$OUT/plain.txt" ] && fail "an unsynced file survived the cut"
[ "$syncs" = 1 ] || fail "expected 1 sync, counted $syncs"

# --- Data: an office with keys and some interviews, three bundles.
mkdir "$FAST/usb"
"$K" simulate --db "$FAST/lap.db" --forms "$FORMS" --form household --count 3 --seed 1 >/dev/null 2>&1
"$K" export --db "$FAST/lap.db" --to "$FAST/usb" >/dev/null 2>&1
"$K" merge --db "$P/office.db" "$FAST/usb" >/dev/null 2>&1
# The office takes bundles of the forms it has accepted.
"$K" forms accept --db "$P/office.db" "$FAST"/usb/*.khb >/dev/null 2>&1
"$K" merge --db "$P/office.db" "$FAST/usb" >/dev/null 2>&1
[ "$(sqlite3 "$P/office.db" 'SELECT count(*) FROM interviews')" = 3 ] || fail "the office has no data"
"$K" keys export --db "$P/office.db" --role office --to "$FAST/o.card" >/dev/null 2>&1
for i in 2 3 4; do
    "$K" simulate --db "$FAST/lap$i.db" --forms "$FORMS" --form household --count 2 --seed $((i * 10)) >/dev/null 2>&1
    mkdir "$FAST/b$i"
    "$K" export --db "$FAST/lap$i.db" --to "$FAST/b$i" >/dev/null 2>&1
done
mkdir "$P/stick"
"$K" backup --db "$P/office.db" --to "$P/stick/office.kbk" >/dev/null 2>&1 || fail "first backup"
cp "$FAST/lap.db" "$P/lap.db"
U=$(sqlite3 "$P/lap.db" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
sqlite3 "$P/office.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null

# --- Merges, one bundle per command: each that said so is in the office.
merge_check() {
    ok_db "$OUT/office.db" || fail "cut $1: the office database is damaged"
    for b in $(cat "$FAST/acked" 2>/dev/null); do
        nb=$(sqlite3 "$OUT/office.db" "SELECT count(*) FROM bundles WHERE file LIKE '%$b%'")
        [ "$nb" = 1 ] || fail "cut $1: bundle $b was merged, then lost"
    done
}
every 'for i in 2 3 4; do
           "$K" merge --db "$W/office.db" "$FAST/b$i" || exit 1
           ls "$FAST/b$i" >> "$FAST/acked"
       done' merge_check
[ "$(wc -l < "$FAST/acked")" = 3 ] || fail "the merges without a cut did not all finish"

# --- Backups replacing yesterday's: the stick always holds a whole one.
backup_check() {
    ok_db "$OUT/office.db" || fail "cut $1: the office database is damaged"
    [ -f "$OUT/stick/office.kbk" ] || { fail "cut $1: the old backup vanished"; return; }
    # Restored into a database holding the office's keys only.
    rm -f "$FAST/r.db"
    cp "$FAST/keys.db" "$FAST/r.db"
    "$K" restore --db "$FAST/r.db" "$OUT/stick/office.kbk" >/dev/null 2>&1 ||
        fail "cut $1: the backup on the stick does not restore"
    if [ -s "$FAST/acked" ]; then
        [ "$(dump "$FAST/r.db")" = "$(dump "$W/office.db")" ] ||
            fail "cut $1: the backup reported written is not the new one"
    fi
}
"$K" merge --db "$P/office.db" "$FAST/b2" >/dev/null 2>&1
"$K" keys export --db "$P/office.db" --role office --to "$FAST/o.card" >/dev/null 2>&1
KHAOSAT_PASSPHRASE="passphrase 12" "$K" keys backup --db "$P/office.db" --to "$FAST/o.keys" >/dev/null 2>&1
KHAOSAT_PASSPHRASE="passphrase 12" "$K" keys restore --db "$FAST/keys.db" "$FAST/o.keys" >/dev/null 2>&1 ||
    fail "keys restore"
sqlite3 "$FAST/keys.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
every '"$K" backup --db "$W/office.db" --to "$W/stick/office.kbk" &&
       echo done > "$FAST/acked"' backup_check

# --- A stream of answers: every one confirmed is there after the cut.
answer_check() {
    ok_db "$OUT/lap.db" || fail "cut $1: the laptop database is damaged"
    last=$(tail -n 1 "$FAST/acked" 2>/dev/null)
    [ -n "$last" ] || return
    got=$(sqlite3 "$OUT/lap.db" "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name' AND path = ''")
    # The answer being typed at the cut may or may not be there; every one
    # before it is.
    case "$got" in
        "Nguyễn Văn $last"|"Nguyễn Văn $((last + 1))") ;;
        *) fail "cut $1: answer $last was confirmed, the database has '$got'" ;;
    esac
}
every 'for i in 1 2 3 4 5 6; do
           "$K" answer --db "$W/lap.db" "'"$U"'" head_name "Nguyễn Văn $i" || exit 1
           echo $i >> "$FAST/acked"
       done' answer_check

# --- report --out --sync: the old report or the whole new one.
"$K" report --db "$P/office.db" --forms "$FORMS" --out "$P/report.txt" >/dev/null 2>&1
report_check() {
    [ -s "$OUT/report.txt" ] || fail "cut $1: the report is gone or empty"
    if [ -s "$FAST/acked" ]; then
        cmp -s "$OUT/report.txt" "$W/report.txt" || fail "cut $1: the synced report is not on the disk"
    fi
}
every '"$K" report --db "$W/office.db" --forms "$FORMS" --by-village --out "$W/report.txt" --sync &&
       echo done > "$FAST/acked"' report_check

# --- csv --out --sync: every file written is on the disk, whole.
csv_check() {
    if [ -s "$FAST/acked" ]; then
        for f in "$W"/csv/*.csv; do
            cmp -s "$f" "$OUT/csv/$(basename "$f")" ||
                fail "cut $1: $(basename "$f") was reported written, then lost"
        done
    fi
}
every '"$K" csv --db "$W/office.db" --forms "$FORMS" --out "$W/csv" --sync &&
       echo done > "$FAST/acked"' csv_check

finish
