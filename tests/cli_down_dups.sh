#!/bin/sh
# Duplicate settlements travel down: the office decides a pair of laptop
# A's own interviews are different households (--different) and that one
# of A's is the same household as one of B's, keeping B's (--same --keep);
# A's downstream bundle carries both decisions: A no longer lists the pair
# as open nor asks about the same key, and knows its interview is
# superseded.  Taken again, nothing changes; a malformed decision in a
# forged image is not the office's (refused by the signature).
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
B="$TMP/B.db"
mkdir -p "$TMP/up" "$TMP/down"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 3 --seed 51 >/dev/null
"$K" simulate --db "$B" --forms "$FORMS" --form household --count 1 --seed 52 >/dev/null
X=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
Y=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
W=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 2")
Z=$(sqlite3 "$B" "SELECT uuid FROM interviews")
key() { sqlite3 "$1" "SELECT value FROM answers WHERE interview = '$2' AND qid = '$3' AND path = ''"; }
# Y takes X's key on A; B's Z takes W's key.
for q in village hh_no; do
    "$K" answer --db "$A" "$Y" "$q" "$(key "$A" "$X" "$q")" >/dev/null 2>&1
    "$K" answer --db "$B" "$Z" "$q" "$(key "$A" "$W" "$q")" >/dev/null 2>&1
done
"$K" finalise --db "$A" "$Y" >/dev/null 2>&1 || fail "Y finalised"
"$K" finalise --db "$B" "$Z" >/dev/null 2>&1 || fail "Z finalised"
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
for L in A B; do
    "$K" keys export --db "$TMP/$L.db" --to "$TMP/$L.card" 2>/dev/null
    "$K" keys trust --db "$TMP/$L.db" --yes "$TMP/office.card" >/dev/null 2>&1 || fail "$L trusts O"
    "$K" keys trust --db "$O" --yes "$TMP/$L.card" >/dev/null 2>&1 || fail "O trusts $L"
    "$K" export --db "$TMP/$L.db" --all --to "$TMP/up" >/dev/null 2>&1 || fail "$L exports"
done
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up"
expect_status 0
run "$K" duplicates --db "$O"
expect_status 0
[ "$(wc -l <"$TMP/out")" = 2 ] || fail "two pairs at the office: $(cat "$TMP/out")"

# On A before: the pair of its own interviews is open, and the same key
# is announced.
run "$K" duplicates --db "$A"
expect_out_contains "$X"
grep -q "different households" "$TMP/out" && fail "the pair is decided before the office says so"
run "$K" answer --db "$A" "$Y" hh_no "$(key "$A" "$X" hh_no)"
run "$K" answer --db "$A" "$Y" hh_no 9999
run "$K" answer --db "$A" "$Y" hh_no "$(key "$A" "$X" hh_no)"
expect_err_contains "has the same key as interview $X"

# The office settles both pairs and writes A's bundle.
run "$K" duplicates --db "$O" --different "$X" "$Y"
expect_status 0
run "$K" duplicates --db "$O" --same "$W" "$Z" --keep "$Z"
expect_status 0
devA=$(sqlite3 "$A" "SELECT value FROM settings WHERE key = 'device_id'")
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devA"
expect_status 0
DA=$(cat "$TMP/out")
run "$K" merge --db "$A" "$DA"
expect_status 0
expect_out_contains "decision(s) of the office on possible duplicates kept"

# A lists the pair of its own as decided, W as superseded by Z.
run "$K" duplicates --db "$A"
expect_status 0
expect_out_contains "[different households]"
expect_out_contains "$W: superseded: the office found it the same household as $Z, which it kept"
# The same key no longer asks about a pair the office settled.
run "$K" answer --db "$A" "$Y" hh_no 9999
run "$K" answer --db "$A" "$Y" hh_no "$(key "$A" "$X" hh_no)"
expect_status 0
grep -q "has the same key" "$TMP/err" && fail "a settled pair is still announced: $(cat "$TMP/err")"

# Taken again: nothing changes.
after=$(db_digest "$A")
run "$K" merge --db "$A" "$DA"
expect_status 0
ks_checks=$((ks_checks + 1))
[ "$(db_digest "$A")" = "$after" ] || fail "the same bundle again changed A"

# B's bundle says nothing of A's own pair; Z is the one kept.
devB=$(sqlite3 "$B" "SELECT value FROM settings WHERE key = 'device_id'")
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devB"
run "$K" merge --db "$B" "$(cat "$TMP/out")"
expect_status 0
run "$K" duplicates --db "$B"
expect_out_contains "$Z: kept by the office, the same household as $W"
grep -q "$X" "$TMP/out" && fail "B hears of A's own pair"

# The office takes its decisions back (--reopen): A's next bundle carries
# the whole set of decisions, so A forgets the pair and W's supersession.
run "$K" duplicates --db "$O" --reopen "$W" "$Z"
expect_status 0
run "$K" duplicates --db "$O" --reopen "$X" "$Y"
expect_status 0
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devA"
expect_status 0
run "$K" merge --db "$A" "$(cat "$TMP/out")"
expect_status 0
expect_out_contains "2 decision(s) of the office on possible duplicates taken back"
run "$K" duplicates --db "$A"
expect_status 0
grep -q "superseded" "$TMP/out" && fail "A still has W superseded: $(cat "$TMP/out")"
grep -q "different households" "$TMP/out" && fail "A still has the pair decided: $(cat "$TMP/out")"
expect_out_contains "$X"
# Decided again at the office: A follows again.
run "$K" duplicates --db "$O" --same "$W" "$Z" --keep "$Z"
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devA"
run "$K" merge --db "$A" "$(cat "$TMP/out")"
expect_status 0
run "$K" duplicates --db "$A"
expect_out_contains "$W: superseded"

# Bundles are ordered by the office's sequence number, not its clock: one
# made with the office's clock years ahead does not lock A out of the
# bundles made after it with the right time.
run env SOURCE_DATE_EPOCH=1830000000 "$K" export --db "$O" --down --to "$TMP/down" --device "$devA"
expect_status 0
FAST=$(cat "$TMP/out")
run "$K" merge --db "$A" "$FAST"
expect_status 0
run "$K" duplicates --db "$O" --reopen "$W" "$Z"
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devA"
expect_status 0
LATER=$(cat "$TMP/out")
run "$K" merge --db "$A" "$LATER"
expect_status 0
grep -q "older than the bundle" "$TMP/out" "$TMP/err" && fail "A locked out by the clock: $(cat "$TMP/out" "$TMP/err")"
run "$K" duplicates --db "$A"
grep -q "superseded" "$TMP/out" && fail "the later bundle was not applied: $(cat "$TMP/out")"
# The fast-clock bundle, taken again after the later one, is refused and
# changes nothing.
before=$(db_digest "$A")
run "$K" merge --db "$A" "$FAST"
grep -q "older than the bundle taken before" "$TMP/out" "$TMP/err" || fail "the earlier bundle is not refused: $(cat "$TMP/out" "$TMP/err")"
[ "$(db_digest "$A")" = "$before" ] || fail "the refused bundle changed A"

# A repeated --keep is refused, not the last one taken, and nothing changes.
before=$(db_digest "$O")
run "$K" duplicates --db "$O" --same "$W" "$Z" --keep "$Z" --keep "$W"
expect_status 2
expect_err_contains "--keep given twice ($Z and $W); give it once"
[ "$(db_digest "$O")" = "$before" ] || fail "a repeated --keep changed the office"

finish
