#!/bin/sh
# A downstream bundle carrying a form version that breaks drafts on the
# laptop (validate --against --db: a changed type of a question the drafts
# answer) is refused with the laptop's database unchanged, naming the
# drafts' answers; once the office allows that version (export --down
# --allow-breaking FORM), the laptop installs it and says what it changes;
# the drafts keep their version.  A laptop without such drafts installs a
# breaking version without leave.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
B="$TMP/B.db"
mkdir -p "$TMP/up" "$TMP/down" "$TMP/forms2"


laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 2 --seed 41 >/dev/null
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 42 --drafts >/dev/null
"$K" simulate --db "$B" --forms "$FORMS" --form household --count 1 --seed 43 >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
for L in A B; do
    "$K" keys export --db "$TMP/$L.db" --to "$TMP/$L.card" 2>/dev/null
    "$K" keys trust --db "$TMP/$L.db" --yes "$TMP/office.card" >/dev/null 2>&1 || fail "$L trusts O"
    "$K" keys trust --db "$O" --yes "$TMP/$L.card" >/dev/null 2>&1 || fail "O trusts $L"
    "$K" export --db "$TMP/$L.db" --to "$TMP/up" >/dev/null 2>&1 || fail "$L exports"
done
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up"
expect_status 0
devA=$(sqlite3 "$A" "SELECT value FROM settings WHERE key = 'device_id'")
devB=$(sqlite3 "$B" "SELECT value FROM settings WHERE key = 'device_id'")
DRAFT=$(sqlite3 "$A" "SELECT uuid FROM interviews WHERE status = 'draft'")
[ -n "$DRAFT" ] || fail "A has a draft"
[ -n "$(sqlite3 "$A" "SELECT value FROM answers WHERE interview = '$DRAFT' AND qid = 'hh_no'")" ] ||
    fail "A's draft answers hh_no"

# The office's new version changes the type of hh_no.
cp "$FORMS"/*.yaml "$TMP/forms2/"
OLDV=$(sed -n 's/^  version: "\(.*\)"$/\1/p' "$FORMS/household.yaml")
sed -e 's/^  version: ".*"$/  version: "2099.1"/' \
    -e '/- id: hh_no$/,/type:/s/type: integer/type: decimal/' -e '/^    list_check: households$/d' \
    "$FORMS/household.yaml" >"$TMP/forms2/household.yaml"
run "$K" validate --against "$FORMS/household.yaml" "$TMP/forms2/household.yaml"
expect_status 1

# Refused on A, whose draft answers hh_no: nothing installed.
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devA" --forms "$TMP/forms2"
expect_status 0
DA=$(cat "$TMP/out")
before=$(db_digest "$A")
run "$K" merge --db "$A" "$DA"
expect_status 1
expect_err_contains "form \"household\" version \"2099.1\" would make drafts on this laptop lose answers (1 draft(s) on version $OLDV answer 'hh_no')"
expect_err_contains "the office did not allow it (khaosat export --down --allow-breaking household): nothing was installed"
expect_same "$A" "$before" "a form version that breaks drafts"
[ "$(sqlite3 "$A" "SELECT count(*) FROM forms WHERE version = '2099.1'")" = 0 ] ||
    fail "the breaking version was installed"
# Again: still refused, still unchanged.
run "$K" merge --db "$A" "$DA"
expect_status 1
expect_same "$A" "$before" "the breaking bundle again"

# B has no draft: the same version installs, saying what it changes.
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devB" --forms "$TMP/forms2"
run "$K" merge --db "$B" "$(cat "$TMP/out")"
expect_status 0
expect_out_contains "4 new form version(s)"

# --allow-breaking needs a form the office has.
beforeO=$(db_digest "$O")
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devA" --forms "$TMP/forms2" --allow-breaking nosuchform
expect_status 1
expect_err_contains "--allow-breaking nosuchform: no such form in the office's forms (--forms)"
expect_same "$O" "$beforeO" "an unknown form allowed"
# A laptop cannot allow anything.
beforeA=$(db_digest "$A")
run "$K" export --db "$A" --down --to "$TMP/down" --forms "$TMP/forms2" --allow-breaking household
expect_status 1
expect_err_contains "--allow-breaking is for an office"
expect_same "$A" "$beforeA" "--allow-breaking on a laptop"

# The office allows it: A installs it and says what it changes; the
# draft keeps its version.
run "$K" export --db "$O" --down --to "$TMP/down" --device "$devA" --forms "$TMP/forms2" --allow-breaking household
expect_status 0
expect_err_contains "form household version 2099.1 may replace the versions drafts were started under"
run "$K" merge --db "$A" "$(cat "$TMP/out")"
expect_status 0
expect_out_contains "4 new form version(s)"
expect_out_contains "what the new form version(s) change:"
expect_out_contains "household $OLDV -> 2099.1: question 'hh_no' changed type from integer to decimal"
[ "$(sqlite3 "$A" "SELECT count(*) FROM forms WHERE version = '2099.1'")" = 1 ] ||
    fail "the allowed version was installed"
[ "$(sqlite3 "$A" "SELECT form_version FROM interviews WHERE uuid = '$DRAFT'")" = "$OLDV" ] ||
    fail "the draft keeps its version"
# Every later bundle carries the leave; taken again, nothing changes.
afterA=$(db_digest "$A")
run "$K" merge --db "$A" "$TMP/down"
expect_same "$A" "$afterA" "the downstream bundles again"

finish
