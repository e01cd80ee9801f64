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
office_pair office A
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

# A village the laptops would refuse, put in the office's database behind
# the set-up's back: the laptop refuses the bundle naming the village and
# saying what to do, and nothing changes on it.
run "$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS"
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\n' > "$TMP/v.csv"
run "$K" setup --db "$O" villages "$TMP/v.csv"
expect_status 0
sqlite3 "$O" "UPDATE villages SET name = replace(hex(zeroblob(150)), '0', 'x') WHERE code = 'T2'"
run "$K" export --db "$O" --down --to "$TMP/down"
expect_status 0
before=$(db_digest "$A")
run "$K" merge --db "$A" "$(cat "$TMP/out")"
expect_status 1
expect_err_contains "a village's code, name (1 to 200 bytes) or enumerator is not one a laptop takes: \"T2\"; ask the office to correct it and write the bundle again (khaosat export --down)"
[ "$(db_digest "$A")" = "$before" ] || fail "the refused bundle changed A"

finish
