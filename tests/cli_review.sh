#!/bin/sh
# Reviews bound to revisions: the office approves one interview and returns
# another; `khaosat reviews` lists each with its state, the revision judged
# and the comment; a later revision of the approved one voids the approval
# ("changed"), a corrected and finalised returned one reads "corrected";
# drafts, unknown UUIDs and returns without a comment are refused with the
# database unchanged; hostile comments print safely (controls as '?').
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
# expect_flat_contains TEXT: stdout, its lines joined and spaces squeezed
# (the report wraps paragraphs), contains TEXT.
expect_flat_contains() {
    tr '\n' ' ' < "$TMP/out" | tr -s ' ' | grep -qF -- "$1" ||
        fail "expected the report to say '$1'"
}
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 3 --seed 21 >/dev/null
mkdir -p "$TMP/usb"
"$K" export --db "$TMP/A.db" --to "$TMP/usb" >/dev/null 2>&1
"$K" forms accept --db "$O" "$TMP"/usb/*.khb >/dev/null 2>&1
"$K" merge --db "$O" "$TMP/usb" >/dev/null 2>&1
set -- $(sqlite3 "$O" "SELECT uuid FROM interviews ORDER BY uuid")
U1=$1 U2=$2 U3=$3

run "$K" reviews --db "$O"
expect_status 0
[ "$(grep -c "	unreviewed	" "$TMP/out")" = 3 ] || fail "three unreviewed: $(cat "$TMP/out")"

run "$K" review --db "$O" "$U1" --approve --comment "Tốt"
expect_status 0
run "$K" review --db "$O" "$U2" --return --comment "Kiểm tra tuổi chủ hộ"
expect_status 0
H1=$(sqlite3 "$O" "SELECT head FROM interviews WHERE uuid = '$U1'")
run "$K" reviews --db "$O" --state approved
expect_status 0
expect_out "$(printf '%s\thousehold\t%s\tapproved\t%s\tTốt\t' "$U1" \
    "$(sqlite3 "$O" "SELECT key FROM case_keys WHERE interview = '$U1'")" "$H1")"
run "$K" reviews --db "$O" --state returned
expect_out_contains "$U2	household"
expect_out_contains "	returned	"
expect_out_contains "Kiểm tra tuổi chủ hộ"
run "$K" reviews --db "$O" --state unreviewed
[ "$(wc -l < "$TMP/out")" = 1 ] || fail "one unreviewed left"

# Refused, each with the database unchanged.
before=$(db_digest "$O")
run "$K" review --db "$O" "$U3" --return
expect_status 2
expect_err_contains "needs --comment"
run "$K" review --db "$O" no-such-uuid --approve
expect_status 1
expect_err_contains "no interview no-such-uuid"
run "$K" review --db "$O" "$U3" --approve --return --comment x
expect_status 2
run "$K" reviews --db "$O" --state maybe
expect_status 2
"$K" simulate --db "$O" --forms "$FORMS" --form household --count 1 --seed 3 --drafts >/dev/null
before=$(db_digest "$O")
D=$(sqlite3 "$O" "SELECT uuid FROM interviews WHERE status = 'draft'")
run "$K" review --db "$O" "$D" --approve
expect_status 1
expect_err_contains "is a draft"
[ "$(db_digest "$O")" = "$before" ] || fail "a refused review changed the database"

# A hostile comment: control characters never reach the terminal raw.
run "$K" review --db "$O" "$U3" --return --comment "$(printf 'a\033[2Jb\tc\nd')"
expect_status 0
run "$K" reviews --db "$O" --state returned
grep -q "$(printf '\033')" "$TMP/out" && fail "an escape reached the terminal"
expect_out_contains 'a\x1b[2Jb\tc\nd'
[ "$(grep -c "^$U3" "$TMP/out")" = 1 ] || fail "a comment broke the line"

# The approved one changes (a correction at the office): approval void.
run "$K" answer --db "$O" "$U1" head_name "Trần Văn Mới"
expect_status 0
run "$K" reviews --db "$O" --state changed
expect_out_contains "$U1	household"
run "$K" reviews --db "$O" --state approved
expect_out ""
# The province's comparison no longer counts the voided approval.
run "$K" report --db "$O" --forms "$FORMS" --communes --format csv
expect_out_contains "3 of 3 interviews not approved"
# Approving the new revision once it is finished again stands.
run "$K" finalise --db "$O" "$U1"
expect_status 0
run "$K" review --db "$O" "$U1" --approve
expect_status 0
run "$K" reviews --db "$O" --state approved
expect_out_contains "$U1"

# The returned one corrected and finalised again: "corrected after return".
run "$K" answer --db "$O" "$U2" head_name "Lê Văn Sửa"
expect_status 0
# Being corrected (a draft again) it is still returned, until finished.
run "$K" reviews --db "$O" --state returned
expect_out_contains "$U2	household"
run "$K" finalise --db "$O" "$U2"
expect_status 0
run "$K" reviews --db "$O" --state corrected
expect_out_contains "$U2	household"
expect_out_contains "Kiểm tra tuổi chủ hộ"

# The report says which interviews it used; --approved-only keeps to the
# approved one.
run "$K" report --db "$O" --forms "$FORMS"
expect_status 0
expect_flat_contains "Interviews used: 1 approved, 0 not reviewed, 1 returned, 0 changed since approved, 1 corrected after return"
run "$K" report --db "$O" --forms "$FORMS" --approved-only
expect_status 0
expect_flat_contains "Interviews used: 1 approved (--approved-only: 0 not reviewed, 1 returned, 0 changed since approved and 1 corrected after return left out)"

# Clearing a review.
run "$K" review --db "$O" "$U2" --clear
expect_status 0
run "$K" reviews --db "$O" --state corrected
expect_out ""

# Duplicates settled: laptop C interviewed A's first household again.
laptop C "Trần Cường" "Xã Đông Hòa"
"$K" simulate --db "$TMP/C.db" --forms "$FORMS" --form household --count 1 --seed 21 >/dev/null
mkdir -p "$TMP/usbC"
"$K" export --db "$TMP/C.db" --to "$TMP/usbC" >/dev/null 2>&1
run "$K" merge --db "$O" "$TMP/usbC"
expect_status 0
expect_out_contains "duplicates 1"
CU=$(sqlite3 "$TMP/C.db" "SELECT uuid FROM interviews")
AU=$(sqlite3 "$O" "SELECT CASE WHEN a = '$CU' THEN b ELSE a END FROM duplicates")
run "$K" duplicates --db "$O"
expect_status 0
expect_out_contains "by Trần Cường on device"
expect_out_contains "by Nguyễn Văn An on device"
[ "$(wc -l < "$TMP/out")" = 1 ] || fail "one pair listed"
run "$K" report --db "$O" --forms "$FORMS"
expect_flat_contains "Duplicates found by merging: 1 pair(s): 1 to decide"
# Bad decisions refused, nothing changed.
before=$(db_digest "$O")
run "$K" duplicates --db "$O" --same "$AU" "$CU" --keep "$D"
expect_status 1
expect_err_contains "must be one of the two"
run "$K" duplicates --db "$O" --different "$AU" "$D"
expect_status 1
expect_err_contains "are not a pair of possible duplicates"
run "$K" duplicates --db "$O" --same "$AU" "$CU"
expect_status 2
[ "$(db_digest "$O")" = "$before" ] || fail "a refused decision changed the database"
# The same household: C's is superseded, left out of report and CSV.
run "$K" duplicates --db "$O" --same "$CU" "$AU" --keep "$AU"
expect_status 0
run "$K" duplicates --db "$O"
expect_out_contains "[same household: $AU kept]"
run "$K" report --db "$O" --forms "$FORMS"
expect_flat_contains "Duplicates found by merging: 1 pair(s): 0 to decide, 1 the same household"
expect_flat_contains "Superseded duplicates left out: 1"
run "$K" csv --db "$O" --forms "$FORMS" --out "$TMP/csv"
expect_status 0
grep -q "$CU" "$TMP/csv/household.csv" && fail "a superseded interview reached the CSV"
grep -q "$AU" "$TMP/csv/household.csv" || fail "the kept interview is missing from the CSV"
run "$K" csv --db "$O" --forms "$FORMS" --out "$TMP/csv2" --with-superseded
grep -q "$CU" "$TMP/csv2/household.csv" || fail "--with-superseded left it out"
# Different households, then a key changes: the pair is judged again.
run "$K" duplicates --db "$O" --different "$AU" "$CU"
expect_status 0
run "$K" duplicates --db "$O"
expect_out_contains "[different households]"
run "$K" answer --db "$O" "$CU" hh_no 9998
expect_status 0
run "$K" finalise --db "$O" "$CU"
run "$K" duplicates --db "$O"
expect_status 0
expect_out ""
run "$K" answer --db "$O" "$CU" hh_no "$(sqlite3 "$O" "SELECT value FROM answers WHERE interview = '$AU' AND qid = 'hh_no'")"
run "$K" finalise --db "$O" "$CU"
run "$K" duplicates --db "$O"
[ "$(wc -l < "$TMP/out")" = 1 ] || fail "the pair is back once the key is the same again"
grep -q "different households" "$TMP/out" && fail "an old decision survived a key change"
finish
