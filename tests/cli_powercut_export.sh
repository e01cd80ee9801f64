#!/bin/sh
# Power cuts during `khaosat export`, plain and sealed (tests/powercut.c,
# the harness of tests/cli_powercut.sh): the power goes at each fsync in
# turn, the disk (laptop database and stick) is rebuilt with only what was
# synced, and whenever the laptop's database says its interviews were
# exported, the bundle must be on the stick and verify; nothing else left
# there may pass for a bundle; the next export finishes the job and sweeps
# the leftovers; the database passes integrity_check.  Before the stick's
# directory was synced, a sealed export lost its bundle this way.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT
PC=$(dirname "$KHAOSAT")/../tests/powercut
[ -x "$PC" ] && [ -f "$PC.so" ] || { echo "tests/powercut not built"; exit 77; }
case "$(ldd "$K" 2>/dev/null)" in *libasan*) echo "ASan build: skipped"; exit 77 ;; esac

W=$TMP/w            # the disk the export writes: lap.db and stick/
P=$TMP/pristine     # W before each run
ST=$TMP/state
OUT=$TMP/out        # the disk after the cut
ok_db() { [ "$(sqlite3 "$1" 'PRAGMA integrity_check' 2>&1)" = ok ]; }
exported() { sqlite3 "$1" "SELECT count(*) FROM interviews WHERE exported_at IS NOT NULL"; }

# cut N: export from a fresh copy of P with the power cut at sync N (0: no
# cut) and rebuild the disk in OUT; the syncs counted are left in $syncs.
cut() {
    rm -rf "$W" "$ST" "$OUT"
    cp -a "$P" "$W"
    "$PC" init "$W" "$ST"
    env LD_PRELOAD="$PC.so" POWERCUT_DIR="$W" POWERCUT_STATE="$ST" \
        POWERCUT_AT="$1" "$K" export --db "$W/lap.db" --to "$W/stick" >/dev/null 2>&1
    syncs=$(cat "$ST/count" 2>/dev/null || echo 0)
    "$PC" rebuild "$ST" "$OUT"
}

# check N WHAT: the disk after cut N is one the laptop can go on from.
check() {
    ks_checks=$((ks_checks + 1))
    ok_db "$OUT/lap.db" || { fail "$2, cut $1: the laptop database is damaged"; return; }
    sent=$(exported "$OUT/lap.db")
    n=$(ls "$OUT/stick" | grep -c '\.khb$')
    if [ "$sent" -gt 0 ]; then
        acked=$((acked + 1))
        if [ "$n" != 1 ]; then
            fail "$2, cut $1: the laptop says $sent interviews were exported; the stick holds $n bundles: $(ls -A "$OUT/stick")"
        elif ! "$K" verify --db "$OUT/lap.db" "$OUT"/stick/*.khb >/dev/null 2>&1; then
            fail "$2, cut $1: the bundle counted as sent does not verify"
        fi
        return
    fi
    for f in "$OUT"/stick/*.khb; do
        [ -e "$f" ] || continue
        "$K" verify --db "$OUT/lap.db" "$f" >/dev/null 2>&1 ||
            fail "$2, cut $1: $(basename "$f") is left and does not verify"
    done
    # Exporting again after the cut sends everything and sweeps.
    "$K" export --db "$OUT/lap.db" --to "$OUT/stick" >/dev/null 2>&1 ||
        fail "$2, cut $1: the export after the cut failed"
    [ "$(exported "$OUT/lap.db")" -gt 0 ] || fail "$2, cut $1: the export after the cut sent nothing"
    [ -z "$(ls -A "$OUT/stick" | grep '^\.')" ] ||
        fail "$2, cut $1: leftovers not swept: $(ls -A "$OUT/stick")"
}

# every WHAT: a cut at every sync of the export in turn.
every() {
    cut 0
    total=$syncs
    [ "$total" -gt 2 ] || fail "$1: $total syncs counted: the shim is not working"
    acked=0
    at=1
    while [ $at -le "$total" ]; do
        cut $at
        check $at "$1"
        at=$((at + 1))
    done
    [ "$acked" -gt 0 ] || fail "$1: no cut came after the export was recorded"
    echo "$1: $total cuts, $acked of them after the export was recorded"
}

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop O "Giám sát" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 4 --seed 51 >/dev/null 2>&1
"$K" keys export --db "$TMP/O.db" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null

mkdir -p "$P/stick"
sqlite3 "$TMP/A.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$TMP/A.db" "$P/lap.db"
every plain
"$K" keys trust --db "$P/lap.db" --yes "$TMP/office.card" >/dev/null 2>&1
sqlite3 "$P/lap.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
every sealed
ks_checks=$((ks_checks + 1))
[ "$(head -c 22 "$OUT"/stick/*.khb)" = "khaosat sealed bundle " ] || fail "the last export was not sealed"

finish
