#!/bin/sh
# cli_return_late.sh: a return that reaches the laptop after the
# enumerator changed the interview (reopened, edited, finalised).  The
# interview is not reopened, as khaosat(1) says, but the merge names it
# with the supervisor's comment, the laptop counts and lists it as
# returned ("returned earlier") until it is finished again, and the office
# keeps it "returned" while the revision it has was made before the
# return reached the laptop, "corrected" once one made after comes.  In
# both orders (the change exported before or after the return arrives),
# and the same downstream bundle again changes nothing.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

. "$(dirname "$0")/return_late_fixture.sh"
# state DB UUID: the interview's review state there.
state() { "$K" reviews --db "$1" 2>/dev/null | awk -F'\t' -v u="$2" '$1 == u { print $4 }'; }
# listed UUID: the interview's state in the laptop's list.
listed() { "$K" list --db "$A" 2>/dev/null | awk -F'\t' -v u="$1" '$1 == u { print $2 }'; }
# up DIR: the laptop's bundle for the office, merged there.
up() {
    mkdir -p "$TMP/$1"
    "$K" export --db "$A" --to "$TMP/$1" >/dev/null 2>&1 || fail "the laptop exports to $1"
    "$K" merge --db "$O" --forms "$FORMS" "$TMP/$1" >/dev/null 2>&1 || fail "the office merges $1"
}

# --- 1. X: changed and sent before the return arrives.
give_back "$X" "$COMMENT"
change "$X" "Hà Quang Nam B"
up u1
ks_checks=$((ks_checks + 1))
[ "$(state "$O" "$X")" = returned ] ||
    fail "a change made before the return reached the laptop reads $(state "$O" "$X") at the office"
taken
expect_out_contains "0 returned interview(s) reopened"
expect_out_contains "interview $X returned by the office, but changed here since: not reopened; the comment is shown on the interview: $COMMENT"
ks_checks=$((ks_checks + 1))
[ "$(listed "$X")" = "returned earlier" ] || fail "X is listed as $(listed "$X")"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$A" "SELECT status FROM interviews WHERE uuid = '$X'")" = complete ] ||
    fail "X was reopened"
# Second pass: the same bundle again changes nothing.
before=$(db_digest "$A")
taken
expect_same "$A" "$before" "the same downstream bundle again"
# The office is told the return reached the laptop; still not corrected.
up u2
ks_checks=$((ks_checks + 1))
[ "$(state "$O" "$X")" = returned ] || fail "X reads $(state "$O" "$X") before any correction"
# Corrected after the comment was seen: "corrected", no longer listed.
change "$X" "Hà Quang Nam C"
ks_checks=$((ks_checks + 1))
[ "$(listed "$X")" = complete ] || fail "X corrected is listed as $(listed "$X")"
up u3
ks_checks=$((ks_checks + 1))
[ "$(state "$O" "$X")" = corrected ] || fail "X corrected reads $(state "$O" "$X")"

# --- 2. Y: changed before the return arrives, sent only after it.
give_back "$Y" "Sai diện tích"
change "$Y" "Trần Văn Bốn"
taken
expect_out_contains "interview $Y returned by the office, but changed here since"
ks_checks=$((ks_checks + 1))
grep -q "interview $X returned" "$TMP/out" && fail "X named again: $(cat "$TMP/out")"
up u4
ks_checks=$((ks_checks + 1))
[ "$(state "$O" "$Y")" = returned ] ||
    fail "Y changed before the return arrived reads $(state "$O" "$Y")"
run "$K" report --db "$O" --forms "$FORMS"
expect_out_contains "1 returned"
# Reopened and finalised after: corrected.
change "$Y" "Trần Văn Năm"
up u5
ks_checks=$((ks_checks + 1))
[ "$(state "$O" "$Y")" = corrected ] || fail "Y corrected reads $(state "$O" "$Y")"

# --- 3. the usual round trip still reads "corrected".
give_back "$X" "Lần nữa"
taken
expect_out_contains "1 returned interview(s) reopened"
ks_checks=$((ks_checks + 1))
[ "$(listed "$X")" = returned ] || fail "X reopened by the return is listed as $(listed "$X")"
"$K" answer --db "$A" "$X" head_name "Hà Quang Nam D" >/dev/null 2>&1 || fail "X edited"
"$K" finalise --db "$A" "$X" >/dev/null 2>&1 || fail "X finalised"
up u6
ks_checks=$((ks_checks + 1))
[ "$(state "$O" "$X")" = corrected ] || fail "a usual correction reads $(state "$O" "$X")"

finish
