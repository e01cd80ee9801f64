#!/bin/sh
# Possible duplicates are of one commune: household and official numbers
# are per commune, so two communes' officials numbered 1, 2, 3 merged at
# the province are six people.  The merge flags no pair, the list is
# empty, and the report's C4 of each commune keeps its three officials.
# A same-commune pair is still flagged, and the list names each side's
# commune.  A database in which an older khaosat paired two communes'
# officials (and decided one pair "same") forgets those pairs when they
# are judged again, and deciding such a pair is refused.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/o.db"
for n in 1 2; do
    "$K" setup --db "$TMP/c$n.db" --forms "$FORMS" commune --code 1000$n \
        --name "Xã Số $n" --province 01 >/dev/null 2>&1 || fail "setup $n"
    "$K" simulate --db "$TMP/c$n.db" --forms "$FORMS" --form commune \
        --count 1 --seed $((100 + n)) >/dev/null 2>&1
    "$K" simulate --db "$TMP/c$n.db" --forms "$FORMS" --form officials \
        --count 3 --seed $((300 + n)) >/dev/null 2>&1
    mkdir -p "$TMP/up$n"
    "$K" export --db "$TMP/c$n.db" --forms "$FORMS" --to "$TMP/up$n" \
        >/dev/null 2>&1 || fail "export $n"
done

# First pass: no pair across communes, in the summary or the list.
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up1" "$TMP/up2"
expect_status 0
[ "$(grep -c 'duplicates 0$' "$TMP/out")" -eq 2 ] ||
    fail "a merge of two communes flagged duplicates: $(cat "$TMP/out")"
run "$K" duplicates --db "$O"
expect_status 0
expect_out ""
# Second pass: merging the same bundles again still pairs nothing.
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up1" "$TMP/up2"
expect_status 0
[ "$(sqlite3 "$O" "SELECT count(*) FROM duplicates")" -eq 0 ] ||
    fail "merging again paired two communes"

# Within one commune a repeated official number is still a pair, and the
# list names each side's commune.
U1=$(sqlite3 "$TMP/c1.db" "SELECT uuid FROM interviews WHERE form_id = 'officials' ORDER BY uuid LIMIT 1")
U2=$(sqlite3 "$TMP/c1.db" "SELECT uuid FROM interviews WHERE form_id = 'officials' ORDER BY uuid LIMIT 1 OFFSET 1")
NO=$(sqlite3 "$TMP/c1.db" "SELECT value FROM answers WHERE interview = '$U1' AND qid = 'official_no'")
run "$K" answer --db "$TMP/c1.db" "$U2" official_no "$NO"
expect_status 0
"$K" finalise --db "$TMP/c1.db" "$U2" >/dev/null 2>&1 || fail "finalise"
"$K" export --db "$TMP/c1.db" --forms "$FORMS" --to "$TMP/up1" >/dev/null 2>&1
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up1"
expect_status 0
expect_out_contains "duplicates 1"
run "$K" duplicates --db "$O"
expect_status 0
[ "$(wc -l < "$TMP/out")" -eq 1 ] || fail "one pair expected: $(cat "$TMP/out")"
expect_out_contains "official_no=$NO"
[ "$(grep -o 'commune 10001' "$TMP/out" | wc -l)" -eq 2 ] ||
    fail "the list does not name both sides' commune: $(cat "$TMP/out")"

CODE2=$(sqlite3 "$TMP/c2.db" "SELECT value FROM answers a JOIN interviews i ON i.uuid = a.interview WHERE i.form_id = 'commune' AND a.qid = 'commune_code'")
c4() {
    "$K" report --db "$O" --forms "$FORMS" --commune "$CODE2" 2>/dev/null | grep -A2 '^C4' | grep -o '[0-9]* of [0-9]* người interviewed'
}
clean=$(c4)
# A database where an older khaosat paired commune 2's official with
# commune 1's and decided them the same person.
X=$(sqlite3 "$TMP/c1.db" "SELECT uuid FROM interviews WHERE form_id = 'officials' ORDER BY uuid DESC LIMIT 1")
Y=$(sqlite3 "$TMP/c2.db" "SELECT uuid FROM interviews WHERE form_id = 'officials' ORDER BY uuid LIMIT 1")
if [ "$X" \< "$Y" ]; then A=$X B=$Y; else A=$Y B=$X; fi
Z=$(sqlite3 "$TMP/c2.db" "SELECT uuid FROM interviews WHERE form_id = 'officials' ORDER BY uuid LIMIT 1 OFFSET 1")
if [ "$X" \< "$Z" ]; then C=$X D=$Z; else C=$Z D=$X; fi
sqlite3 "$O" "INSERT INTO duplicates (a, b, form_id, key, found, decision, keep, decided)
              VALUES ('$A', '$B', 'officials', 'official_no=1', '2026-01-01T00:00:00Z', 'same', '$X', '2026-01-01T00:00:00Z'),
                     ('$C', '$D', 'officials', 'official_no=2', '2026-01-01T00:00:00Z', NULL, NULL, NULL)"
# Commune 2's C4 counts its three officials; the false decision took one.
before=$(c4)
# Deciding such a pair is refused, naming both communes; the false pairs
# are gone, the decision with them.
run "$K" duplicates --db "$O" --same "$C" "$D" --keep "$C"
expect_status 1
expect_err_contains "are of different communes"
expect_err_contains "(commune 10001)"
expect_err_contains "(commune 10002)"
[ "$(sqlite3 "$O" "SELECT count(*) FROM duplicates WHERE key <> 'official_no=$NO' OR decision IS NOT NULL")" -eq 0 ] ||
    fail "the pairs of two communes were kept"
run "$K" duplicates --db "$O"
expect_status 0
[ "$(wc -l < "$TMP/out")" -eq 1 ] || fail "false pairs listed: $(cat "$TMP/out")"
after=$(c4)
[ -n "$clean" ] || fail "no C4 line in the report"
[ "$before" != "$clean" ] || fail "the planted decision did not supersede"
[ "$after" = "$clean" ] ||
    fail "commune 2's C4 is not its own again: '$after', was '$clean'"
# Refusing again changes nothing.
d=$(db_digest "$O")
run "$K" duplicates --db "$O" --same "$C" "$D" --keep "$C"
expect_status 1
expect_same "$O" "$d" "a refused decision across communes"

# The same database, merged again instead: the false pairs are dropped.
sqlite3 "$O" "INSERT INTO duplicates (a, b, form_id, key, found, decision, keep, decided)
              VALUES ('$A', '$B', 'officials', 'official_no=1', '2026-01-01T00:00:00Z', 'same', '$X', '2026-01-01T00:00:00Z')"
"$K" answer --db "$TMP/c2.db" "$Z" official_no 7 >/dev/null 2>&1
"$K" finalise --db "$TMP/c2.db" "$Z" >/dev/null 2>&1 || fail "finalise Z"
"$K" export --db "$TMP/c2.db" --forms "$FORMS" --to "$TMP/up2" >/dev/null 2>&1
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up2"
expect_status 0
expect_out_contains "updated 1"
[ "$(sqlite3 "$O" "SELECT count(*) FROM duplicates WHERE a = '$A' AND b = '$B'")" -eq 0 ] ||
    fail "a merge kept a pair of two communes"
finish
