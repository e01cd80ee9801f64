#!/bin/sh
# A laptop restored from a backup numbers its audit rows again from where
# the backup was made: the office then holds two different rows with the
# same device and number.  Both are real events: the office keeps both,
# exports them upward (bundle format 6 keys the audit by a reuse number
# too), the province keeps both, and merging again changes nothing.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT
cd "$TMP" || exit 1

"$K" simulate --db lap.db --forms "$FORMS" --form household --count 5 --seed 7 >/dev/null 2>&1
"$K" backup --db lap.db --to lap-backup.db >/dev/null 2>&1
U=$(sqlite3 lap.db "SELECT uuid FROM interviews WHERE status = 'complete' LIMIT 1")
mkdir s1 s2 up up2
"$K" reopen --db lap.db "$U" >/dev/null 2>&1
"$K" finalise --db lap.db --forms "$FORMS" "$U" >/dev/null 2>&1
"$K" export --db lap.db --forms "$FORMS" --to s1 >/dev/null 2>&1
"$K" restore --db lap.db --replace lap-backup.db >/dev/null 2>&1
"$K" reopen --db lap.db "$U" >/dev/null 2>&1
"$K" finalise --db lap.db --forms "$FORMS" "$U" >/dev/null 2>&1
"$K" export --db lap.db --forms "$FORMS" --to s2 >/dev/null 2>&1

run "$K" merge --db office.db --forms "$FORMS" s1 s2
expect_status 0
# The merge says which device numbered again, and which numbers.
dev=$(sqlite3 lap.db "SELECT value FROM settings WHERE key = 'device_id'")
expect_out_contains "device $dev numbered 2 audit row(s) again (numbers"
expect_out_contains "as a laptop restored from a backup does: both rows of each number are kept"
[ "$(grep -c 'numbered .* again' "$TMP/out")" = 1 ] ||
    fail "only the second bundle reuses numbers: $(cat "$TMP/out")"
reused="SELECT count(*) FROM audit a WHERE origin IS NOT NULL AND EXISTS
  (SELECT 1 FROM audit b WHERE b.origin = a.origin
   AND b.origin_seq = a.origin_seq AND b.origin_digest <> a.origin_digest)"
n=$(sqlite3 office.db "$reused")
[ "$n" -ge 2 ] || fail "the office kept $n rows of reused numbers, expected both of each"
office_audit=$(sqlite3 office.db "SELECT count(*) FROM audit")

# The office's way up is not blocked, with or without --all.
run "$K" export --db office.db --forms "$FORMS" --to up
expect_status 0
run "$K" verify up/*.khb
expect_status 0
expect_out_contains "ok: format 7"
[ "$(bundle_sql up/*.khb "SELECT count(*) FROM audit WHERE reuse > 0")" -ge 1 ] ||
    fail "the bundle does not carry the second rows of the reused numbers"
[ "$(bundle_sql up/*.khb "SELECT count(*) FROM audit")" = "$office_audit" ] ||
    fail "the bundle does not carry every audit row of the office"
run "$K" export --db office.db --forms "$FORMS" --to up2 --all
expect_status 0

# The province keeps both rows of each reused number.
run "$K" merge --db prov.db --forms "$FORMS" up/*.khb
expect_status 0
expect_out_contains "added 5"
expect_out_contains "device $dev numbered 2 audit row(s) again"
[ "$(sqlite3 prov.db "$reused")" = "$n" ] ||
    fail "the province kept $(sqlite3 prov.db "$reused") rows of reused numbers, the office $n"
for col in "origin_seq, origin_digest" "time, event, qid, path, old_value, new_value"; do
    q="SELECT $col FROM audit WHERE origin IS NOT NULL AND origin <> (SELECT value FROM settings WHERE key = 'device') ORDER BY 1, 2"
    [ "$(sqlite3 prov.db "$q" | sort)" = "$(sqlite3 office.db "$q" | sort)" ] ||
        fail "the province's audit ($col) differs from the office's"
done

# Merging again changes nothing: the same bundle, and the office's second.
before=$(db_digest prov.db)
run "$K" merge --db prov.db --forms "$FORMS" up/*.khb
expect_status 0
expect_same prov.db "$before" "merging the same bundle again"
run "$K" merge --db prov.db --forms "$FORMS" up2/*.khb
expect_status 0
audit_before=$(sqlite3 prov.db "SELECT count(*) FROM audit WHERE event <> 'merge'")
run "$K" merge --db prov.db --forms "$FORMS" up2/*.khb
[ "$(sqlite3 prov.db "SELECT count(*) FROM audit WHERE event <> 'merge'")" = "$audit_before" ] ||
    fail "merging the office's second bundle again added audit rows"
# And at the office: the laptop's two bundles again change nothing.
before=$(db_digest office.db)
run "$K" merge --db office.db --forms "$FORMS" s1 s2
expect_status 0
expect_same office.db "$before" "merging the laptop's bundles again"
grep -q 'again (numbers' "$TMP/out" && fail "a merge that kept nothing speaks of reused numbers"

finish
