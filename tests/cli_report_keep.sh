#!/bin/sh
# The report's stored figures through the commands: stored when interviews
# are finalised (simulate, finalise) and merged (first, again, a newer
# revision), computed again when the report definition or its copy in
# another forms folder changes, and said so on stderr.
. "$(dirname "$0")/lib.sh"

# check: a report with every interview's figures forgotten (computed from
# scratch, silently) gives the same bytes as with the figures the commands
# kept up to date.  Both at the same clock: the heading's minute must not
# change between the two on a loaded machine.
same_as_fresh() {
    now=$(date +%s)
    env SOURCE_DATE_EPOCH="$now" "$KHAOSAT" report --db "$1" --forms "$FORMS" $2 > "$TMP/kept.txt" 2>"$TMP/kept.err"
    rm -f "$TMP/fresh.db"
    sqlite3 "$1" ".backup '$TMP/fresh.db'"
    sqlite3 "$TMP/fresh.db" "DELETE FROM report_units"
    run env SOURCE_DATE_EPOCH="$now" "$KHAOSAT" report --db "$TMP/fresh.db" --forms "$FORMS" $2
    expect_status 0
    [ ! -s "$TMP/err" ] || fail "figures computed silently: $(cat "$TMP/err")"
    cmp -s "$TMP/out" "$TMP/kept.txt" ||
        fail "$3: kept figures differ from fresh ones: $(diff "$TMP/kept.txt" "$TMP/out" | head -5)"
}

stored() { sqlite3 "$1" "SELECT count(*) FROM report_units u JOIN interviews i ON i.uuid = u.interview WHERE u.head IS i.head"; }

laptop lap "Điều tra viên 1" "Xã Một"
db="$TMP/lap.db"
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form commune --count 1 --seed 2 >/dev/null
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form household --count 20 --seed 3 >/dev/null
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form officials --count 3 --seed 4 >/dev/null
[ "$(stored "$db")" = 23 ] || fail "simulate stored $(stored "$db") interviews' figures, not 23"

run "$KHAOSAT" report --db "$db" --forms "$FORMS"
expect_status 0
[ ! -s "$TMP/err" ] || fail "a first report said: $(cat "$TMP/err")"
same_as_fresh "$db" "" "laptop"

# Another definition (a copy of the forms folder with one figure changed):
# every household and official is computed again, and that is said once.
mkdir -p "$TMP/forms2"
cp "$FORMS"/*.yaml "$TMP/forms2/"
sed -i 's/numerator: "${hh_online_ps} = .1."/numerator: "${hh_online_ps} = '"'"'0'"'"'"/' "$TMP/forms2/report.yaml"
cmp -s "$FORMS/report.yaml" "$TMP/forms2/report.yaml" && fail "test data: report.yaml unchanged"
run "$KHAOSAT" report --db "$db" --forms "$TMP/forms2"
expect_status 0
expect_err_contains "khaosat report: report definition changed: recomputing figures for 23 interviews"
run "$KHAOSAT" report --db "$db" --forms "$TMP/forms2"
[ ! -s "$TMP/err" ] || fail "a second report recomputed again: $(cat "$TMP/err")"
# --report FILE is a definition too; the bundled one is back.
run "$KHAOSAT" report --db "$db" --forms "$FORMS" --report "$TMP/forms2/report.yaml" --format csv
[ ! -s "$TMP/err" ] || fail "--report with the same text recomputed: $(cat "$TMP/err")"
run "$KHAOSAT" report --db "$db" --forms "$FORMS"
expect_err_contains "recomputing figures for 23 interviews"

# Finalise stores the figures of a corrected interview again.
hh=$(sqlite3 "$db" "SELECT uuid FROM interviews WHERE form_id = 'household' AND status = 'complete' AND uuid IN (SELECT interview FROM answers WHERE qid = 'hh_online_ps') ORDER BY uuid LIMIT 1")
was=$(sqlite3 "$db" "SELECT value FROM answers WHERE interview = '$hh' AND qid = 'hh_online_ps'")
if [ "$was" = 1 ]; then now=0; else now=1; fi
"$KHAOSAT" answer --db "$db" "$hh" hh_online_ps "$now" >/dev/null 2>&1
[ "$(stored "$db")" = 22 ] || fail "a reopened interview kept its figures"
run "$KHAOSAT" finalise --db "$db" --forms "$FORMS" "$hh"
expect_status 0
[ "$(stored "$db")" = 23 ] || fail "finalise did not store the figures ($(stored "$db"))"
same_as_fresh "$db" "--by-village" "finalised again"

# The office: merged figures are stored with the merge, and stay right
# when the same bundles come again and when a newer revision does.
mkdir -p "$TMP/usb"
"$KHAOSAT" export --db "$db" --to "$TMP/usb" >/dev/null 2>&1 || fail "export"
office="$TMP/office.db"
"$KHAOSAT" merge --db "$office" --forms "$FORMS" "$TMP"/usb/* >/dev/null 2>&1 || fail "merge"
[ "$(stored "$office")" = 23 ] || fail "merge stored $(stored "$office") interviews' figures"
run "$KHAOSAT" report --db "$office" --forms "$FORMS" --communes
[ ! -s "$TMP/err" ] || fail "the office's report computed figures: $(cat "$TMP/err")"
same_as_fresh "$office" "--communes" "first merge"
"$KHAOSAT" merge --db "$office" --forms "$FORMS" "$TMP"/usb/* >/dev/null 2>&1 || fail "merge again"
[ "$(stored "$office")" = 23 ] || fail "merging again lost figures"
same_as_fresh "$office" "" "same bundle again"
"$KHAOSAT" answer --db "$db" "$hh" hh_online_ps "$was" >/dev/null 2>&1
"$KHAOSAT" finalise --db "$db" --forms "$FORMS" "$hh" >/dev/null 2>&1 || fail "finalise"
mkdir -p "$TMP/usb2"
"$KHAOSAT" export --db "$db" --to "$TMP/usb2" >/dev/null 2>&1 || fail "export again"
"$KHAOSAT" merge --db "$office" --forms "$FORMS" "$TMP"/usb2/* >/dev/null 2>&1 || fail "merge a newer revision"
[ "$(stored "$office")" = 23 ] || fail "a newer revision's figures not stored ($(stored "$office"))"
v=$(sqlite3 "$office" "SELECT f.num FROM report_figures f WHERE f.interview = '$hh' AND f.figure = 1")
[ "$v" = "$was.0" ] || fail "the newer revision's figure 1.1h is '$v', not $was"
same_as_fresh "$office" "--format csv" "newer revision"

finish
