#!/bin/sh
# Reviews carried upward, sealed: a laptop sends three interviews to its
# commune office, which approves one and returns one; the office's bundle
# to the province carries its reviews, and the province lists them with
# the commune (khaosat reviews), counts them in the report and limits the
# figures to the approved ones (--approved-only).  The same bundle merged
# again changes nothing; a later bundle with a changed review updates it;
# a review changed alone is worth a bundle of its own; a laptop's bundle
# carrying reviews is refused with the office's database unchanged.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
P="$TMP/province.db"
A="$TMP/A.db"
mkdir -p "$TMP/upA" "$TMP/upO" "$TMP/upO2" "$TMP/upO3" "$TMP/evil"


# approved_only TEXT WHY: the province's report limited to the approved
# interviews says "Interviews used: TEXT".
approved_only() {
    run "$K" report --db "$P" --forms "$FORMS" --approved-only
    expect_status 0
    tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF "Interviews used: $1" ||
        fail "$2: $(grep -i "interviews used" "$TMP/out")"
}

"$K" setup --db "$O" commune --code 12345 --name "Xã Đông Hòa" --province 01 >/dev/null 2>&1 ||
    fail "setup commune"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 3 --seed 31 >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$P" --role office --name "Sở NN" --commune "Tỉnh Một" --to "$TMP/province.card" 2>/dev/null
"$K" keys export --db "$A" --to "$TMP/A.card" 2>/dev/null
"$K" keys trust --db "$A" --yes "$TMP/office.card" >/dev/null 2>&1 || fail "A trusts O"
"$K" keys trust --db "$O" --yes "$TMP/A.card" >/dev/null 2>&1 || fail "O trusts A"
"$K" keys trust --db "$O" --yes --upstream "$TMP/province.card" >/dev/null 2>&1 || fail "O trusts P"
"$K" keys trust --db "$P" --yes --accept "$TMP/office.card" >/dev/null 2>&1 || fail "P trusts O"

# Laptop to office; the office approves one and returns one.
"$K" export --db "$A" --to "$TMP/upA" >/dev/null 2>&1 || fail "A exports"
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/upA"
expect_status 0
U1=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
U2=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
U3=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 2")
run "$K" review --db "$O" "$U1" --approve --comment "Đạt"
expect_status 0
run "$K" review --db "$O" "$U2" --return --comment "Kiểm tra diện tích"
expect_status 0

# Office to province: the bundle carries the two reviews.
run "$K" export --db "$O" --to "$TMP/upO"
expect_status 0
expect_err_contains "khaosat export: 3 interviews"
expect_err_contains "2 review(s) of this office for the province"
UP1=$(cat "$TMP/out")
for secret in "Đạt" "Kiểm tra diện tích"; do
    ks_checks=$((ks_checks + 1))
    if grep -aq "$secret" "$UP1"; then fail "'$secret' readable in the sealed bundle"; fi
done
run "$K" merge --db "$P" --forms "$FORMS" "$UP1"
expect_status 0
expect_out_contains "added 3"
expect_out_contains "2 review(s) of the office that sent it kept"

# The province sees which interviews the commune approved and returned.
H1=$(sqlite3 "$O" "SELECT revision FROM reviews WHERE interview = '$U1'")
run "$K" reviews --db "$P" --state approved
expect_status 0
expect_out "$(printf '%s\thousehold\t%s\tapproved\t%s\tĐạt\t12345' "$U1" \
    "$(sqlite3 "$P" "SELECT key FROM case_keys WHERE interview = '$U1'")" "$H1")"
run "$K" reviews --db "$P" --state returned
expect_out_contains "$U2	household"
expect_out_contains "Kiểm tra diện tích	12345"
run "$K" reviews --db "$P"
[ "$(grep -c "	unreviewed	" "$TMP/out")" = 1 ] || fail "one unreviewed at the province: $(cat "$TMP/out")"
# At the office the same reviews are its own (no commune).
run "$K" reviews --db "$O" --state approved
expect_out "$(printf '%s\thousehold\t%s\tapproved\t%s\tĐạt\t' "$U1" \
    "$(sqlite3 "$O" "SELECT key FROM case_keys WHERE interview = '$U1'")" "$H1")"

# The province's report counts interviews by review state and is limited
# to the approved ones when asked.
run "$K" report --db "$P" --forms "$FORMS"
expect_status 0
tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF "Interviews used: 1 approved, 1 not reviewed, 1 returned" ||
    fail "the province's report counts the commune's reviews: $(grep -i "interviews used" "$TMP/out")"
approved_only "1 approved (--approved-only: 1 not reviewed, 1 returned" \
    "--approved-only at the province"

# The same bundle again: nothing changes.
afterP=$(db_digest "$P")
run "$K" merge --db "$P" "$UP1"
expect_status 0
expect_out_contains "$UP1: already merged on "
expect_same "$P" "$afterP" "the same office bundle again"

# Nothing new at the office: no bundle.
run "$K" export --db "$O" --to "$TMP/upO2"
expect_status 0
expect_err_contains "no interviews to export"
[ -z "$(ls "$TMP/upO2")" ] || fail "a bundle without anything new"

# The office approves the returned one: a review changed alone is worth a
# bundle, and the province takes the newer review.
sleep 1
run "$K" review --db "$O" "$U2" --approve
expect_status 0
run "$K" export --db "$O" --to "$TMP/upO2"
expect_status 0
expect_err_contains "khaosat export: 0 interviews"
expect_err_contains "2 review(s) of this office for the province"
UP2=$(cat "$TMP/out")
run "$K" merge --db "$P" "$UP2"
expect_status 0
expect_out_contains "1 review(s) of the office that sent it kept"
[ "$(sqlite3 "$P" "SELECT status || ' ' || commune FROM reviews WHERE interview = '$U2'")" = "approved 12345" ] ||
    fail "the newer review replaced the return: $(sqlite3 "$P" "SELECT * FROM reviews WHERE interview = '$U2'")"
approved_only "2 approved" "two approved once the return is approved"
# The older bundle merged after the newer one changes nothing.
afterP=$(db_digest "$P")
cp "$UP1" "$TMP/evil/replayed.khb"
run "$K" merge --db "$P" "$TMP/evil/replayed.khb"
expect_same "$P" "$afterP" "an older office bundle after a newer one"
[ "$(sqlite3 "$P" "SELECT status FROM reviews WHERE interview = '$U2'")" = approved ] ||
    fail "an older bundle brings the return back"

# The office clears its approval of U1: the clear travels up as a newer
# record and the province withdraws the approval (the change comes within
# the same second as the last review: a counter, not the time, makes the
# bundle due).
run "$K" review --db "$O" "$U1" --approve --comment "Đạt lại"
expect_status 0
run "$K" export --db "$O" --to "$TMP/upO3"
expect_status 0
UP3=$(cat "$TMP/out")
run "$K" merge --db "$P" "$UP3"
expect_status 0
[ "$(sqlite3 "$P" "SELECT status || ' ' || comment FROM reviews WHERE interview = '$U1'")" = "approved Đạt lại" ] ||
    fail "the province keeps the newer approval of U1"
run "$K" review --db "$O" "$U1" --clear
expect_status 0
mkdir -p "$TMP/upO4" "$TMP/upO5"
run "$K" export --db "$O" --to "$TMP/upO4"
expect_status 0
expect_err_contains "khaosat export: 0 interviews"
UP4=$(cat "$TMP/out")
[ -n "$UP4" ] && [ -f "$UP4" ] || fail "a clear alone is worth a bundle: $(cat "$TMP/err")"
run "$K" merge --db "$P" "$UP4"
expect_status 0
expect_out_contains "1 review(s) of the office that sent it kept"
run "$K" reviews --db "$P" --state approved
expect_status 0
expect_out_contains "$U2	household"
ks_checks=$((ks_checks + 1))
if grep -qF "$U1" "$TMP/out"; then fail "U1 still approved at the province"; fi
run "$K" reviews --db "$P"
expect_out_contains "$U1	household"
grep -F "$U1" "$TMP/out" | grep -q "	unreviewed	" ||
    fail "the cleared interview is unreviewed at the province: $(grep -F "$U1" "$TMP/out")"
approved_only "1 approved" "one approved once the commune cleared U1"
# The clear merged again, or the approval before it, changes nothing.
afterP=$(db_digest "$P")
cp "$UP4" "$TMP/evil/clear-again.khb"
run "$K" merge --db "$P" "$TMP/evil/clear-again.khb"
expect_status 0
expect_same "$P" "$afterP" "the clear merged again"
cp "$UP3" "$TMP/evil/approval-again.khb"
run "$K" merge --db "$P" "$TMP/evil/approval-again.khb"
expect_same "$P" "$afterP" "the approval merged after its clear"
# Nothing changed since: no bundle.
run "$K" export --db "$O" --to "$TMP/upO5"
expect_err_contains "no interviews to export"
[ -z "$(ls "$TMP/upO5")" ] || fail "a bundle after the clear was sent"

# A laptop's signed bundle carrying reviews is refused, the office
# unchanged: only an office reviews.
sqlite3 "$A" "INSERT INTO reviews (interview, status, comment, reviewer, time, revision, content)
    SELECT i.uuid, 'approved', 'tự duyệt', 'An', '2030-01-01T00:00:00Z', i.head, r.content
    FROM interviews i JOIN revisions r ON r.id = i.head WHERE i.uuid = '$U3';
    INSERT OR REPLACE INTO settings VALUES ('role', 'office')"
"$K" export --db "$A" --all --to "$TMP/evil" >"$TMP/evil.out" 2>/dev/null || fail "the forged export"
beforeO=$(db_digest "$O")
run "$K" merge --db "$O" "$(cat "$TMP/evil.out")"
expect_status 1
expect_err_contains "carries reviews, but it is signed by the laptop"
expect_same "$O" "$beforeO" "a laptop's bundle carrying reviews"

finish
