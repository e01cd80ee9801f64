#!/bin/sh
# cli_validate.sh: black-box tests of `khaosat validate`.
. "$(dirname "$0")/lib.sh"

# A clean form: "ok" on stdout, nothing on stderr, exit 0.
run "$KHAOSAT" validate "$TESTDATA/good.yaml"
expect_status 0
expect_out "$TESTDATA/good.yaml: ok (12 questions)"
[ -s "$TMP/err" ] && fail "clean form wrote to stderr: $(cat "$TMP/err")"

# A bad form: positioned diagnostics, sorted, exit 1, no "ok".
run "$KHAOSAT" validate "$TESTDATA/bad_missing_key.yaml"
expect_status 1
expect_out ""
cat >"$TMP/want" <<END
$TESTDATA/bad_missing_key.yaml:2:3: missing required key 'version'
$TESTDATA/bad_missing_key.yaml:6:5: missing required key 'type'
$TESTDATA/bad_missing_key.yaml:8:5: missing required key 'id'
$TESTDATA/bad_missing_key.yaml:10:5: missing required key 'label'
END
cmp -s "$TMP/want" "$TMP/err" || fail "diagnostics differ: $(cat "$TMP/err")"

# Several files: each is reported; one bad file makes the run fail.
run "$KHAOSAT" validate "$TESTDATA/good.yaml" "$TESTDATA/bad_cycle.yaml"
expect_status 1
expect_out "$TESTDATA/good.yaml: ok (12 questions)"
expect_err_contains "bad_cycle.yaml:7:5: dependency cycle: a -> b -> a"

# Every bad fixture fails with at least one positioned diagnostic.
for f in "$TESTDATA"/bad_*.yaml "$TESTDATA/empty.yaml" \
         "$TESTDATA/scalar_top.yaml" "$TESTDATA/aliases.yaml"; do
    run "$KHAOSAT" validate "$f"
    expect_status 1
    grep -q "^$f:[0-9]*:[0-9]*: " "$TMP/err" ||
        fail "$f: no positioned diagnostic: $(cat "$TMP/err")"
done

# What a form designer gets wrong, each named with its fix (issue 19).
run "$KHAOSAT" validate "$TESTDATA/bad_designer.yaml"
expect_status 1
expect_err_contains "bad_designer.yaml:13:15: choice value 'mo mo' contains a space"
expect_err_contains "bad_designer.yaml:18:14: default '31/12/2026' is not a date: write it as YYYY-MM-DD"
expect_err_contains "bad_designer.yaml:22:14: default '2' is not a code of list 'yesno' (its codes: 1, 0)"
expect_err_contains "bad_designer.yaml:26:29: \${consent} is compared with 'no', which is not a code of list 'yesno'"
expect_err_contains "bad_designer.yaml:37:13: the count of repeat 'plots' reads \${n}, a text question"
expect_err_contains "bad_designer.yaml:44:22: \${area} is a question of roster 'plots'"
expect_err_contains "bad_designer.yaml:48:15: 'required' on a note"
expect_err_contains "bad_designer.yaml:51:12: empty label"
run "$KHAOSAT" validate "$TESTDATA/bad_xlsform_habits.yaml"
expect_status 1
expect_err_contains "unknown key 'hint::vi' in question (did you mean \`hint: {vi: …}\`?)"
expect_err_contains "unknown key 'repeat_count' in question (did you mean \`count\`?)"
expect_err_contains "'or_other' is not supported: add a choice such as {value: other, label: Khác} to list 'crop'"
run "$KHAOSAT" validate "$TESTDATA/bad_colon.yaml"
expect_status 1
expect_err_contains "bad_colon.yaml:9:15: YAML syntax error: mapping values are not allowed in this context (a text containing ': ' must be quoted"
# Computed defaults and sums over a roster are fine.
cat >"$TMP/dd.yaml" <<'END'
form: {id: dd, version: "1", title: D, languages: [vi]}
choices:
  yn: [{value: "1", label: Có}, {value: "0", label: Không}]
questions:
  - {id: visit, type: date, label: Ngày, default: today()}
  - {id: ok, type: select_one yn, label: Đồng ý, default: "1"}
  - {id: n, type: integer, label: Số}
  - id: plots
    type: repeat
    label: Thửa
    count: ${n}
    questions:
      - {id: area, type: decimal, label: Diện tích, relevant: "${ok} = 1"}
  - {id: total, type: calculate, calculation: "sum(${area}) + count(${area})"}
  - {id: first, type: calculate, calculation: "indexed-repeat(${area}, ${plots}, 1)"}
END
run "$KHAOSAT" validate "$TMP/dd.yaml"
expect_status 0
expect_out "$TMP/dd.yaml: ok (7 questions)"

# Unreadable file.
run "$KHAOSAT" validate "$TMP/missing.yaml"
expect_status 1
expect_err_contains "$TMP/missing.yaml: cannot read the form"

# Usage errors.
run "$KHAOSAT" validate
expect_status 2
expect_err_contains "Usage: khaosat validate"
run "$KHAOSAT" validate --bogus "$TESTDATA/good.yaml"
expect_status 2
expect_err_contains "unknown option '--bogus'"

# Coverage: tags in natural order (letters first), with form:question ids.
run "$KHAOSAT" validate --coverage "$TESTDATA/coverage.yaml"
expect_status 0
tab=$(printf '\t')
cat >"$TMP/want" <<END
$TESTDATA/coverage.yaml: ok (6 questions)
C1${tab}cov:e
C6${tab}cov:c
E1${tab}cov:b
1.1${tab}cov:d
2.1${tab}cov:b cov:e
10.1${tab}cov:a
18.2${tab}cov:c
END
cmp -s "$TMP/want" "$TMP/out" || fail "coverage differs: $(cat "$TMP/out")"

# Coverage over several files.
run "$KHAOSAT" validate --coverage "$TESTDATA/coverage.yaml" "$TESTDATA/good.yaml"
expect_status 0
expect_out_contains "C2${tab}household:internet"
expect_out_contains "4.1${tab}household:internet"

# --expect: every expected tag carried passes; a missing one fails by name.
run "$KHAOSAT" validate --coverage --expect C1,1.1,18.2 "$TESTDATA/coverage.yaml"
expect_status 0
run "$KHAOSAT" validate --coverage --expect C1,5.2,C3 "$TESTDATA/coverage.yaml"
expect_status 1
expect_err_contains "no question carries indicator 5.2"
expect_err_contains "no question carries indicator C3"
grep -q "indicator C1" "$TMP/err" && fail "C1 reported missing"
printf '# expected tags\nC6\n\n10.1\n4.4\n' >"$TMP/tags"
run "$KHAOSAT" validate --expect "@$TMP/tags" "$TESTDATA/coverage.yaml"
expect_status 1
expect_err_contains "no question carries indicator 4.4"
expect_out "$TESTDATA/coverage.yaml: ok (6 questions)"
run "$KHAOSAT" validate --expect "@$TMP/none" "$TESTDATA/coverage.yaml"
expect_status 2

# The bundled survey forms are clean and together measure every condition
# and Annex I indicator; dropping one form loses indicators, and says which.
run "$KHAOSAT" validate --coverage --expect "@$FORMS/indicators.txt" \
    "$FORMS/commune.yaml" "$FORMS/household.yaml" "$FORMS/officials.yaml" \
    "$FORMS/business.yaml"
expect_status 0
expect_out_contains "C5	"
expect_out_contains "16.4	"
run "$KHAOSAT" validate --coverage --expect "@$FORMS/indicators.txt" \
    "$FORMS/commune.yaml" "$FORMS/officials.yaml" "$FORMS/business.yaml"
expect_status 1
expect_err_contains "15.1"

# A report definition beside the forms is checked as one, against them.
run "$KHAOSAT" validate "$FORMS/report.yaml"
expect_status 0
expect_out "$FORMS/report.yaml: ok (report definition)"
run "$KHAOSAT" validate "$TESTDATA/broken.report.yaml"
expect_status 1
expect_err_contains "broken.report.yaml:8:5: unknown key 'colour' in figure 'x'"
expect_err_contains "broken.report.yaml:6:11: figure 'x': form 'nosuchform' is not listed under forms"

finish
