#!/bin/sh
# cli_loop_fix.sh: the loop's outputs say what the bundles hold.
# A review comment is kept in NFC whatever the input method typed (the
# same comment in NFD is stored as the NFC one); `reviews` prints a tab,
# a new line, ESC and a backslash of a comment as the backslash escapes
# khaosat(1) documents; `verify` counts a downstream bundle's reviews by
# state (returned, approved, cleared), at the office and on the laptop.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
mkdir -p "$TMP/up" "$TMP/down"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 3 --seed 31 >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$A" --to "$TMP/A.card" 2>/dev/null
"$K" keys trust --db "$A" --yes "$TMP/office.card" >/dev/null 2>&1 || fail "A trusts O"
"$K" keys trust --db "$O" --yes "$TMP/A.card" >/dev/null 2>&1 || fail "O trusts A"
"$K" export --db "$A" --to "$TMP/up" >/dev/null 2>&1 || fail "A exports"
"$K" merge --db "$O" --forms "$FORMS" "$TMP/up" >/dev/null 2>&1 || fail "O merges"
U1=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
U2=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")

# "Kiểm tra" typed decomposed (e, circumflex, hook above) is kept as the
# precomposed NFC "ể".
nfd=$(printf 'Ki\145\314\202\314\211m tra')
run "$K" review --db "$O" "$U1" --return --comment "$nfd"
expect_status 0
[ "$(sqlite3 "$O" "SELECT hex(comment) FROM reviews WHERE interview = '$U1'")" = \
  "$(printf 'Kiểm tra' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" ] ||
    fail "the comment is not kept in NFC: $(sqlite3 "$O" "SELECT hex(comment) FROM reviews WHERE interview = '$U1'")"
# Typed again the other way, it is the same comment: nothing changes.
run "$K" reviews --db "$O" --state returned
expect_out_contains "	Kiểm tra	"

# Controls in a comment are printed as backslash escapes.
odd=$(printf 'a\tb\nc\033[31md\\e')
run "$K" review --db "$O" "$U2" --approve --comment "$odd"
expect_status 0
run "$K" reviews --db "$O" --state approved
expect_out_contains 'a\tb\nc\x1b[31md\\e'
if tr -d '\n\t' <"$TMP/out" | grep -q "$(printf '\033')"; then
    fail "ESC reached the terminal"
fi
[ "$(wc -l <"$TMP/out")" = 1 ] || fail "the comment broke the line: $(cat "$TMP/out")"

# The downstream bundle: 1 returned, 1 approved, 1 cleared (no review).
run "$K" export --db "$O" --down --to "$TMP/down"
expect_status 0
D=$(cat "$TMP/out")
run "$K" verify --db "$O" "$D"
expect_status 0
expect_out_contains "3 review(s) (returned, approved or cleared)"
grep -q "returned interviews" "$TMP/out" && fail "the office counts every review as returned"
before=$(db_digest "$A")
run "$K" verify --db "$A" "$D"
expect_status 0
expect_out_contains "1 returned, 1 approved and 1 cleared review(s)"
[ "$(db_digest "$A")" = "$before" ] || fail "verify changed the laptop"
run "$K" merge --db "$A" "$D"
expect_status 0
expect_out_contains "1 returned interview(s) reopened"

finish
