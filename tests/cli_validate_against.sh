#!/bin/sh
# cli_validate_against.sh: `khaosat validate --against OLD NEW` says whether
# NEW can replace OLD while interviews are in progress on OLD. OLD is the
# bundled household form; each NEW is a copy with one change.
. "$(dirname "$0")/lib.sh"

OLD="$FORMS/household.yaml"
# new NAME SED-SCRIPT...: a copy of OLD edited by sed, version bumped to
# 2026.9 unless the script changes the version itself.
new() {
    name=$1
    shift
    sed -e 's/^  version: "2026.8"$/  version: "2026.9"/' "$@" "$OLD" >"$TMP/$name.yaml"
}

# The same file: it can replace itself, no warning.
run "$KHAOSAT" validate --against "$OLD" "$OLD"
expect_status 0
expect_out "$OLD can replace $OLD (0 warning(s))"

# A new version with a new label only: fine.
new label -e 's/"Có", en: "Yes"/"Có ạ", en: "Yes"/'
run "$KHAOSAT" validate --against "$OLD" "$TMP/label.yaml"
expect_status 0
expect_out "$TMP/label.yaml can replace $OLD (0 warning(s))"

# The line where question $1 starts in the bundled form.
qline() { grep -n -- "- id: $1\$" "$OLD" | cut -d: -f1; }

# A question removed (renamed): its answers would be orphaned.
new removed -e 's/- id: resp_phone$/- id: resp_mobile/'
run "$KHAOSAT" validate --against "$OLD" "$TMP/removed.yaml"
expect_status 1
expect_err_contains "$TMP/removed.yaml: error: question 'resp_phone' ($OLD:$(qline resp_phone)) removed: its answers would be orphaned"
expect_err_contains "$TMP/removed.yaml cannot replace $OLD: 1 breaking change(s)"

# A question's type changed.
new type -e '/- id: hh_no$/,/type:/s/type: integer/type: decimal/' -e '/^    list_check: households$/d'
run "$KHAOSAT" validate --against "$OLD" "$TMP/type.yaml"
expect_status 1
expect_err_contains "$TMP/type.yaml:$(qline hh_no):5: error: question 'hh_no' changed type from integer to decimal"

# A choice code removed from a list: every question using it is named.
new code -e 's/value: parent$/value: parents/'
run "$KHAOSAT" validate --against "$OLD" "$TMP/code.yaml"
expect_status 1
expect_err_contains "$TMP/code.yaml:$(qline resp_relation):9: error: choice 'parent' of question 'resp_relation' removed: answers using it would no longer be valid"

# A question moved out of its roster.
new roster -e '/- id: m_name$/,/required: true/d' \
    -e 's/^  - id: sec_members$/  - id: m_name\n    type: text\n    label: {vi: "Tên", en: "Name"}\n  - id: sec_members/'
run "$KHAOSAT" validate --against "$OLD" "$TMP/roster.yaml"
expect_status 1
expect_err_contains "error: question 'm_name' moved out of roster 'members'"

# Stricter rules only warn: answers may need review, nothing is orphaned.
new strict -e '/- id: resp_phone$/{n;s/$/\n        required: true/}' \
    -e 's/string-length(.) <= 15/string-length(.) <= 12/'
run "$KHAOSAT" validate --against "$OLD" "$TMP/strict.yaml"
expect_status 0
expect_err_contains "$TMP/strict.yaml:$(qline resp_phone):9: warning: question 'resp_phone' is required where it was not"
expect_err_contains "$TMP/strict.yaml:$(qline resp_phone):9: warning: the constraint of question 'resp_phone' changed: answers already taken may fail it"
expect_out "$TMP/strict.yaml can replace $OLD (2 warning(s))"

# The same version with different content must bump its version.
sed -e 's/"Có", en: "Yes"/"Có ạ", en: "Yes"/' "$OLD" >"$TMP/samever.yaml"
run "$KHAOSAT" validate --against "$OLD" "$TMP/samever.yaml"
expect_status 1
expect_err_contains "$TMP/samever.yaml: error: version '2026.8' is the same as $OLD's but the content differs: give the new form a higher version"

# A version that goes down only warns; 2026.10 is higher than 2026.8.
new older -e 's/^  version: "2026.9"$/  version: "2026.4"/'
run "$KHAOSAT" validate --against "$OLD" "$TMP/older.yaml"
expect_status 0
expect_err_contains "$TMP/older.yaml: warning: version '2026.4' is not higher than '2026.8'"
new newer -e 's/^  version: "2026.9"$/  version: "2026.10"/'
run "$KHAOSAT" validate --against "$OLD" "$TMP/newer.yaml"
expect_status 0
expect_out "$TMP/newer.yaml can replace $OLD (0 warning(s))"

# Another form id cannot replace this one.
new otherid -e 's/^  id: household$/  id: household2/'
run "$KHAOSAT" validate --against "$OLD" "$TMP/otherid.yaml"
expect_status 1
expect_err_contains "$TMP/otherid.yaml: error: form id 'household2' is not the id of $OLD ('household')"

# A NEW that does not load is reported and refused.
run "$KHAOSAT" validate --against "$OLD" "$TESTDATA/bad_cycle.yaml"
expect_status 1
expect_err_contains "bad_cycle.yaml:7:5: dependency cycle: a -> b -> a"

# --db counts the interviews in progress on OLD's version that hold the
# lost answers; a select_multiple answer holding the code counts too. The
# figures are checked against the database itself, which stays unchanged.
DB=$TMP/s.db
"$KHAOSAT" simulate --db "$DB" --forms "$FORMS" --form household --count 12 \
    --seed 7 --drafts >/dev/null 2>&1 || fail "simulate"
sql() { sqlite3 "$DB" "SELECT count(DISTINCT interview) FROM answers WHERE $1"; }
phone=$(sql "qid = 'resp_phone' AND value <> ''")
water=$(sql "qid = 'hh_pay_purpose' AND ' ' || value || ' ' LIKE '% water %'")
[ "$phone" -gt 0 ] && [ "$water" -gt 0 ] ||
    fail "no simulated draft answers resp_phone or the code water"
new lose -e 's/- id: resp_phone$/- id: resp_mobile/' -e 's/value: water$/value: waters/'
before=$(db_digest "$DB")
run "$KHAOSAT" validate --db "$DB" --against "$OLD" "$TMP/lose.yaml"
expect_status 1
expect_out_contains "$phone interview(s) in progress on household 2026.8 answer 'resp_phone'"
expect_out_contains "$water interview(s) in progress on household 2026.8 answer 'hh_pay_purpose' with choice 'water'"
[ "$(db_digest "$DB")" = "$before" ] || fail "validate --db changed the database"
# A missing database is refused, not created.
run "$KHAOSAT" validate --db "$TMP/none/x.db" --against "$OLD" "$TMP/lose.yaml"
expect_status 1
[ -e "$TMP/none/x.db" ] && fail "validate --db created a database"

# Wrong use: usage, exit 2.
run "$KHAOSAT" validate --against "$OLD"
expect_status 2
finish
