#!/bin/sh
# The report's stored figures come from the text of the form version the
# database holds (the one its interviews were answered on), not from a
# forms directory that holds another text under the same version: a
# merge with such a directory says so, and the figures equal the count of
# the answers, whether stored at the merge, worked out again at a report,
# or replayed by a user who may only read the database.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT
cd "$TMP" || exit 1

"$K" simulate --db lap.db --forms "$FORMS" --form household --count 50 --seed 1 >/dev/null 2>&1
"$K" simulate --db lap.db --forms "$FORMS" --form commune --count 1 --seed 1 >/dev/null 2>&1
mkdir st
"$K" export --db lap.db --forms "$FORMS" --to st --all >/dev/null 2>&1
# The same version, another text: hh_online_ps asked of fewer households.
cp -r "$FORMS" local
sed -i "s/relevant: \"\${hh_smartphone} = '1' or \${hh_computer} = '1'\"/relevant: \"\${hh_smartphone} = '1' and \${hh_computer} = '1'\"/" local/household.yaml
cmp -s "$FORMS/household.yaml" local/household.yaml && fail "the test's form text did not change"
"$K" forms accept --db office.db st/*.khb >/dev/null 2>&1

run "$K" merge --db office.db --forms local st
expect_status 0
expect_err_contains "warning: local: form household version"
expect_err_contains "is not the text office.db holds for that version"
expect_err_contains "from the database's text"

counted=$(sqlite3 office.db "SELECT count(*) FROM answers a JOIN interviews i
  ON i.uuid = a.interview WHERE i.form_id = 'household'
  AND i.status = 'complete' AND a.qid = 'hh_online_ps' AND a.value = '1'")
[ "$counted" -gt 2 ] || fail "too few answers to tell the texts apart: $counted"
figure() { grep ',1\.1h,' "$TMP/out" | cut -d, -f7; }

# The figures stored at the merge: no refresh is needed, and they count
# the answers.
run "$K" report --db office.db --forms "$FORMS" --format csv
expect_status 0
[ "$(figure)" = "$counted" ] || fail "1.1h counts $(figure), the answers $counted"
before=$(db_digest office.db)
run "$K" report --db office.db --forms local --format csv
expect_status 0
[ "$(figure)" = "$counted" ] || fail "with the other text, 1.1h counts $(figure), the answers $counted"
expect_same office.db "$before" "a report with the other forms directory"

# A user who may only read the database replays: the same figure.
if as_user true 2>/dev/null; then
    mkdir ro && cp office.db ro/ && chmod 777 ro && chmod 644 ro/office.db
    chmod 755 "$TMP"
    run as_user "$K" report --db ro/office.db --forms local --format csv
    expect_status 0
    [ "$(figure)" = "$counted" ] || fail "the replay counts $(figure), the answers $counted"
fi

# Figures stored before by another text are worked out again when the
# report's definition changes, from the database's text.
sqlite3 office.db "UPDATE report_figures SET num = 0"
sqlite3 office.db "UPDATE report_units SET definition = 'old'"
run "$K" report --db office.db --forms local --format csv
expect_status 0
[ "$(figure)" = "$counted" ] || fail "worked out again, 1.1h counts $(figure), the answers $counted"

finish
