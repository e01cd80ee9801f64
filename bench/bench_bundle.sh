#!/bin/sh
# bench_bundle.sh: what a bundle of simulated household interviews costs.
# BENCH_BUNDLE_HOUSEHOLDS (default 500) households of the household form
# (khaosat simulate, seed 1), exported with khaosat export: bytes
# per household of the bundle as written (compressed) and of the SQLite
# file inside it (khaosat bundle dump), goal <= 1500 bytes written; the
# export's time next to its floor, sqlite3 copying the laptop's database
# (VACUUM INTO); the merge's time into a new office database next to its
# floor, sqlite3 inserting the same answers, revision items and audit
# rows from the dumped file in one transaction.  Best of 3 each.
set -u
command -v sqlite3 >/dev/null 2>&1 || { echo "bundle: sqlite3 missing, skipped"; exit 0; }
n=${BENCH_BUNDLE_HOUSEHOLDS:-500}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }
lap=$tmp/lap.db
"$KHAOSAT" simulate --db "$lap" --forms "$FORMS" --form household --count "$n" --seed 1 >/dev/null 2>&1 ||
    { echo "bundle: simulate failed"; exit 1; }
best_exp=999999 best_expf=999999 best_mrg=999999 best_mrgf=999999
for i in 1 2 3; do
    # The same laptop each time: an export adds its own audit rows.
    rm -rf "$tmp/out" "$tmp/copy.db" "$tmp/run.db"
    cp "$lap" "$tmp/run.db"
    mkdir "$tmp/out"
    t0=$(now)
    "$KHAOSAT" export --db "$tmp/run.db" --to "$tmp/out" >/dev/null 2>&1 ||
        { echo "bundle: export failed"; exit 1; }
    t1=$(now)
    sqlite3 "$tmp/run.db" "VACUUM INTO '$tmp/copy.db'"
    t2=$(now)
    best_exp=$(min "$best_exp" "$(ms "$t0" "$t1")")
    best_expf=$(min "$best_expf" "$(ms "$t1" "$t2")")
done
b=$(ls "$tmp"/out/*.khb)
rm -f "$tmp/inside.sqlite"
"$KHAOSAT" bundle dump "$b" "$tmp/inside.sqlite" 2>/dev/null ||
    { echo "bundle: bundle dump failed"; exit 1; }
packed=$(wc -c < "$b")
inside=$(wc -c < "$tmp/inside.sqlite")
audit=$(sqlite3 "$tmp/inside.sqlite" "SELECT count(*) FROM audit")
items=$(sqlite3 "$tmp/inside.sqlite" "SELECT count(*) FROM items")
# An office database with the form, made once and copied for each run.
"$KHAOSAT" simulate --db "$tmp/tmpl.db" --forms "$FORMS" --form household --count 0 >/dev/null 2>&1
for i in 1 2 3; do
    rm -f "$tmp/off.db" "$tmp/off.db-wal" "$tmp/off.db-shm" "$tmp/floor.db"*
    cp "$tmp/tmpl.db" "$tmp/off.db"
    cp "$tmp/tmpl.db" "$tmp/floor.db"
    t0=$(now)
    "$KHAOSAT" merge --db "$tmp/off.db" "$b" >/dev/null 2>&1 ||
        { echo "bundle: merge failed"; exit 1; }
    t1=$(now)
    sqlite3 "$tmp/floor.db" "ATTACH '$tmp/inside.sqlite' AS b; BEGIN;
        INSERT INTO interviews (uuid, form_id, form_version, status,
            enumerator, device_id, created, updated, head)
            SELECT uuid, form_id, form_version, status, enumerator, device,
            created, updated, head FROM b.interviews;
        INSERT INTO revisions (id, interview, status, device, enumerator,
            created, content) SELECT id, interview, status, device,
            enumerator, created, id FROM b.revisions;
        INSERT INTO revision_items SELECT revision, qid, path, value
            FROM b.items;
        INSERT INTO answers SELECT interview, qid, path, value FROM b.items
            WHERE qid <> '';
        INSERT INTO audit (interview, time, event, qid, path, old_value,
            new_value, origin, origin_seq) SELECT i.uuid, a.time, a.event,
            a.qid, a.path, a.old_value, a.new_value, a.device, a.seq
            FROM b.audit a JOIN (SELECT uuid, row_number() OVER
            (ORDER BY uuid) AS n FROM b.interviews) i ON i.n = a.interview;
        COMMIT;" || { echo "bundle: the floor failed"; exit 1; }
    t2=$(now)
    best_mrg=$(min "$best_mrg" "$(ms "$t0" "$t1")")
    best_mrgf=$(min "$best_mrgf" "$(ms "$t1" "$t2")")
done
awk -v n="$n" -v p="$packed" -v s="$inside" -v a="$audit" -v it="$items" \
    -v e="$best_exp" -v ef="$best_expf" -v m="$best_mrg" -v mf="$best_mrgf" 'BEGIN {
    printf "bundle: %d simulated households, %d answers, %d audit rows\n", n, it, a
    printf "  bytes per household, written (compressed): %8.0f  (goal <= 1500)\n", p / n
    printf "  bytes per household, SQLite file inside:   %8.0f  (%.1fx compression)\n", s / n, s / p
    printf "  export:  %6d ms, floor (sqlite3 VACUUM INTO a copy) %6d ms, ratio %.2f\n", e, ef, ef ? e / ef : 0
    printf "  merge:   %6d ms, floor (sqlite3 inserting the rows) %6d ms, ratio %.2f\n", m, mf, mf ? m / mf : 0
}'
