#!/bin/sh
# khaosat simulate: valid interviews through the store, reproducible with a
# seed, and clear refusals of bad arguments.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

run "$KHAOSAT" simulate --db "$TMP/a.db" --forms "$FORMS" --form household --count 5 --seed 7
expect_status 0
expect_out_contains "5 interviews of household"
n=$(sqlite3 "$TMP/a.db" "select count(*) from interviews where form_id='household'")
[ "$n" = 5 ] || fail "expected 5 interviews, found $n"
members=$(sqlite3 "$TMP/a.db" "select count(*) from answers where path like 'members[%'")
[ "$members" -gt 0 ] || fail "no roster answers were simulated"

# The same seed gives the same answers.
"$KHAOSAT" simulate --db "$TMP/b.db" --forms "$FORMS" --form household --count 5 --seed 7 >/dev/null
dump() {
    sqlite3 "$1" "select i.created is not null, a.qid, a.path, a.value from answers a
                  join interviews i on i.uuid = a.interview
                  order by i.rowid, a.qid, a.path" | sort
}
[ "$(dump "$TMP/a.db")" = "$(dump "$TMP/b.db")" ] || fail "same seed, different answers"

run "$KHAOSAT" simulate --db "$TMP/a.db" --forms "$FORMS" --form nosuchform --count 1
expect_status 1
expect_err_contains "no form 'nosuchform'"

run "$KHAOSAT" simulate --db "$TMP/a.db" --forms "$FORMS" --form household --count -3
expect_status 2

run "$KHAOSAT" simulate --db "$TMP/a.db" --forms "$TMP/nonexistent" --form household --count 1
expect_status 1
expect_err_contains "cannot read the forms directory"

# A file that is not a database is refused and left as it was.
printf 'not a database at all' > "$TMP/junk.db"
before=$(cksum < "$TMP/junk.db")
run "$KHAOSAT" simulate --db "$TMP/junk.db" --forms "$FORMS" --form household --count 1
expect_status 1
[ "$(cksum < "$TMP/junk.db")" = "$before" ] || fail "a foreign file was modified"

# Training data that looks like a survey: a commune with its villages and
# declared officials, then 200 households and as many officials.
if command -v sqlite3 >/dev/null 2>&1; then
    t="$TMP/train.db"
    "$KHAOSAT" simulate --db "$t" --forms "$FORMS" --form commune --count 1 --seed 3 >/dev/null 2>&1
    "$KHAOSAT" simulate --db "$t" --forms "$FORMS" --form household --count 200 --seed 4 >/dev/null 2>&1
    declared=$(sqlite3 "$t" "SELECT value FROM answers WHERE qid = 'n_officials'")
    "$KHAOSAT" simulate --db "$t" --forms "$FORMS" --form officials --count "$((declared + 5))" --seed 5 >/dev/null 2>&1
    q() { sqlite3 "$t" "$1"; }
    refused=$(q "SELECT count(*) FROM answers WHERE qid = 'consent' AND value = '0'")
    [ "$refused" -ge 2 ] && [ "$refused" -le 20 ] || fail "refusals should be about 5% of 200, got $refused"
    young=$(q "SELECT count(*) FROM answers a JOIN answers d ON d.interview = a.interview AND d.qid = 'interview_date' WHERE a.qid = 'm_birth_year' AND a.path = 'members[1]' AND cast(substr(d.value, 1, 4) AS int) - cast(a.value AS int) < 18")
    [ "$young" = 0 ] || fail "$young household heads are under 18"
    strays=$(q "SELECT count(*) FROM answers WHERE qid = 'village' AND value NOT IN (SELECT value FROM answers WHERE qid = 'v_code')")
    [ "$strays" = 0 ] || fail "$strays households are in villages the commune does not list"
    payers=$(q "SELECT count(*) FROM answers a JOIN answers b ON b.interview = a.interview AND b.qid = 'hh_pay_online' AND b.value = '1' WHERE a.qid = 'hh_smartphone' AND a.value = '0'")
    [ "$payers" = 0 ] || fail "$payers households without a smartphone pay online"
    commune_level=$(q "SELECT count(*) FROM answers WHERE qid = 'off_level' AND value = 'commune'")
    [ "$commune_level" = "$declared" ] || fail "$commune_level commune officials, the commune declares $declared"
    [ "$(q "SELECT count(DISTINCT value) FROM answers WHERE qid = 'official_no'")" = "$((declared + 5))" ] ||
        fail "official numbers repeat"
    # No two households share a number in one village, even over a second
    # run into the same database, and a third after a draft.
    "$KHAOSAT" simulate --db "$t" --forms "$FORMS" --form household --count 30 --seed 4 >/dev/null 2>&1
    "$KHAOSAT" simulate --db "$t" --forms "$FORMS" --form household --count 5 --seed 9 --drafts >/dev/null 2>&1
    "$KHAOSAT" simulate --db "$t" --forms "$FORMS" --form household --count 5 --seed 10 >/dev/null 2>&1
    clash=$(q "SELECT count(*) FROM (SELECT v.value, n.value FROM answers v JOIN answers n ON n.interview = v.interview AND n.qid = 'hh_no' AND n.path = '' WHERE v.qid = 'village' AND v.path = '' GROUP BY v.value, n.value HAVING count(*) > 1)")
    [ "$clash" = 0 ] || fail "$clash household numbers repeat within a village"
    # Names that look real: people "Family Middle Given", a commune "Xã …"
    # with a five-digit code, a province of the list with its code.
    odd=$(q "SELECT count(*) FROM answers WHERE qid IN ('head_name', 'resp_name', 'm_name', 'off_name') AND value NOT GLOB '* * *'")
    [ "$odd" = 0 ] || fail "$odd names are not family, middle and given name"
    [ "$(q "SELECT count(DISTINCT value) FROM answers WHERE qid = 'head_name'")" -ge 100 ] ||
        fail "household heads' names repeat too much"
    q "SELECT value FROM answers WHERE qid = 'commune'" | grep -q "^Xã " || fail "commune name: $(q "SELECT value FROM answers WHERE qid = 'commune'")"
    q "SELECT value FROM answers WHERE qid = 'commune_code'" | grep -Eq "^[0-9]{5}$" || fail "commune code is not five digits"
    prov=$(q "SELECT value FROM answers WHERE qid = 'province'")
    pcode=$(q "SELECT value FROM answers WHERE qid = 'province_code'")
    [ -z "$pcode" ] || grep -q "^$pcode,$prov\$" "$FORMS/provinces.csv" || fail "province $prov with code $pcode is not in the list"
    # The report over it: C4 reads every declared official.
    run "$KHAOSAT" report --db "$t" --forms "$FORMS" --lang en
    expect_status 0
    expect_out_contains "of $declared officials interviewed"
fi

# Interviews left as drafts: the checks that stopped them are named, with
# how many interviews each stopped and the first of them.
mkdir "$TMP/blocked"
cat > "$TMP/blocked/blocked.yaml" <<'EOF'
form: {id: blocked, version: "1", title: Blocked, languages: [vi]}
questions:
  - id: more
    type: integer
    label: More than the next one
    constraint: "${less} = '' or . > ${less}"
  - id: less
    type: integer
    label: Less
    required: true
  - id: code
    type: integer
    label: A code no draw finds
    required: true
    constraint: ". = 123456"
EOF
run "$KHAOSAT" simulate --db "$TMP/blocked.db" --forms "$TMP/blocked" --form blocked --count 12 --seed 2
expect_status 0
expect_out_contains "12 interviews of blocked: 0 complete, 12 left as drafts"
expect_out_contains "Left as drafts by these checks:"
bq() { sqlite3 "$TMP/blocked.db" "$1"; }
first=$(bq "SELECT uuid FROM interviews ORDER BY rowid LIMIT 1")
expect_out_contains "  code: required, left unanswered: 12 interviews (first $first)"
# 'more' is checked when it is answered, against a 'less' not given yet:
# the drafts where it ended up not more are counted, with the first.
broken="SELECT a.interview FROM answers a JOIN answers b
        ON b.interview = a.interview AND b.qid = 'less'
        WHERE a.qid = 'more' AND CAST(a.value AS int) <= CAST(b.value AS int)"
nbroken=$(bq "SELECT count(*) FROM ($broken)")
firstbroken=$(bq "SELECT uuid FROM interviews WHERE uuid IN ($broken) ORDER BY rowid LIMIT 1")
[ "$nbroken" -gt 1 ] || fail "the seed should break 'more' in some interviews, got $nbroken"
expect_out_contains "  more: constraint \"\${less} = '' or . > \${less}\" not met: $nbroken interviews (first $firstbroken)"
# Most frequent first.
[ "$(sed -n 3p "$TMP/out")" = "  code: required, left unanswered: 12 interviews (first $first)" ] ||
    fail "the most frequent check is not first: $(cat "$TMP/out")"
# Asked for drafts, it says nothing of checks.
run "$KHAOSAT" simulate --db "$TMP/blocked.db" --forms "$TMP/blocked" --form blocked --count 2 --drafts
expect_status 0
grep -q "Left as drafts by" "$TMP/out" && fail "--drafts named checks: $(cat "$TMP/out")"

# Training data that looks real: phone numbers are phone numbers, a
# household has no more smartphones than members (unless members own
# more), establishment numbers do not repeat, a commune has thousands of
# households in villages of tens to hundreds, and no household pays for
# waste collection by app without paying online at all.
if command -v sqlite3 >/dev/null 2>&1; then
    real="$TMP/real.db"
    "$KHAOSAT" simulate --db "$real" --forms "$FORMS" --form commune --count 1 --seed 3 >/dev/null 2>&1 || fail "simulate commune"
    "$KHAOSAT" simulate --db "$real" --forms "$FORMS" --form household --count 80 --seed 4 >/dev/null 2>&1 || fail "simulate household"
    "$KHAOSAT" simulate --db "$real" --forms "$FORMS" --form business --count 40 --seed 5 >/dev/null 2>&1 || fail "simulate business"
    bad=$(sqlite3 "$real" "SELECT count(*) FROM answers WHERE qid = 'resp_phone' AND value NOT GLOB '0[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'")
    [ "$bad" = 0 ] || fail "$bad phone answers are not 10-digit numbers: $(sqlite3 "$real" "SELECT value FROM answers WHERE qid = 'resp_phone' LIMIT 3")"
    [ "$(sqlite3 "$real" "SELECT count(*) FROM answers WHERE qid = 'resp_phone'")" -ge 1 ] || fail "no resp_phone simulated"
    bad=$(sqlite3 "$real" "SELECT count(*) FROM answers a JOIN answers b ON a.interview = b.interview
        JOIN answers c ON c.interview = a.interview WHERE a.qid = 'n_smartphones' AND b.qid = 'hh_size'
        AND c.qid = 'n_smart' AND CAST(a.value AS INT) > max(CAST(b.value AS INT), CAST(c.value AS INT))")
    [ "$bad" = 0 ] || fail "$bad households have more smartphones than members"
    [ "$(sqlite3 "$real" "SELECT count(*) - count(DISTINCT value) FROM answers WHERE qid = 'biz_no'")" = 0 ] ||
        fail "establishment numbers repeat"
    hh=$(sqlite3 "$real" "SELECT value FROM answers WHERE qid = 'n_households'")
    pop=$(sqlite3 "$real" "SELECT value FROM answers WHERE qid = 'population'")
    [ "$hh" -ge 1000 ] && [ "$pop" -ge "$((hh * 2))" ] || fail "a tiny commune: $hh households, $pop people"
    bad=$(sqlite3 "$real" "SELECT count(*) FROM answers WHERE qid = 'v_households' AND (CAST(value AS INT) < 10 OR CAST(value AS INT) > 999)")
    [ "$bad" = 0 ] || fail "$bad villages outside tens to hundreds of households"
    bad=$(sqlite3 "$real" "SELECT count(*) FROM answers a JOIN answers b ON a.interview = b.interview
        WHERE a.qid = 'hh_waste_pay_app' AND a.value = '1' AND b.qid = 'hh_pay_online' AND b.value = '0'")
    [ "$bad" = 0 ] || fail "$bad households pay for waste by app but never online"
fi

# --clock: the same seed and clock make the same database, byte for byte
# (uuids, device id and times included); another seed another one.
for n in 1 2 3; do
    seed=4
    [ "$n" = 3 ] && seed=5
    for f in commune household; do
        "$KHAOSAT" simulate --db "$TMP/clock$n.db" --forms "$FORMS" --form $f \
            --count 3 --seed $seed --clock 2026-06-01T08:00:00Z >/dev/null 2>&1 ||
            fail "simulate --clock $n"
    done
done
ks_checks=$((ks_checks + 1))
cmp -s "$TMP/clock1.db" "$TMP/clock2.db" || fail "simulate --seed --clock made two databases"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$TMP/clock1.db" "SELECT DISTINCT created FROM interviews")" = 2026-06-01T08:00:00Z ] ||
    fail "simulate --clock: another time saved"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$TMP/clock1.db" "SELECT value FROM settings WHERE key = 'device_id'")" != \
  "$(sqlite3 "$TMP/clock3.db" "SELECT value FROM settings WHERE key = 'device_id'")" ] ||
    fail "simulate --clock: another seed, the same device id"
before=$(db_digest "$TMP/clock1.db")
run "$KHAOSAT" simulate --db "$TMP/clock1.db" --forms "$FORMS" --form household --count 1 --clock 2026-06-01T08:00:00+07
expect_status 2
expect_err_contains "--clock 2026-06-01T08:00:00+07: not a UTC time such as 2026-06-01T08:00:00Z"
[ "$(db_digest "$TMP/clock1.db")" = "$before" ] || fail "a refused --clock changed the database"
run env SOURCE_DATE_EPOCH=yesterday "$KHAOSAT" simulate --db "$TMP/clock1.db" --forms "$FORMS" --form household --count 1
expect_status 2
expect_err_contains "SOURCE_DATE_EPOCH must be a whole number of seconds"
[ "$(db_digest "$TMP/clock1.db")" = "$before" ] || fail "a refused SOURCE_DATE_EPOCH changed the database"


# Training data that looks real.  The commune form names the set-up
# commune (code, name, province and its name); officials are of working
# age at the clock's date; a second run of officials numbers on after the
# first (1-5, not 1-3 then 1-2) and the commune's declared officials are
# counted over both; interview dates are the weeks before the clock.
S="$TMP/setup.db"
CLK=2026-06-01T08:00:00Z
"$KHAOSAT" setup --db "$S" --forms "$FORMS" commune --code 10001 \
    --name "Xã An Bình" --province 01 >/dev/null 2>&1 || fail "setup commune"
for spec in "commune 1 101" "officials 3 301" "officials 2 302" "household 20 5"; do
    set -- $spec
    "$KHAOSAT" simulate --db "$S" --forms "$FORMS" --form "$1" --count "$2" \
        --seed "$3" --clock "$CLK" >/dev/null 2>&1 || fail "simulate $spec"
done
ans() { sqlite3 "$S" "SELECT group_concat(a.value, '|') FROM (SELECT a.value FROM answers a JOIN interviews i ON i.uuid = a.interview WHERE i.form_id = '$1' AND a.qid = '$2' AND a.path = '' ORDER BY 0 + a.value, a.value) a"; }
ks_checks=$((ks_checks + 1))
[ "$(ans commune commune_code)|$(ans commune commune)|$(ans commune province_code)|$(ans commune province)" = \
  "10001|Xã An Bình|01|Thành phố Hà Nội" ] ||
    fail "the commune form is not the set-up commune: $(ans commune commune_code) $(ans commune commune) $(ans commune province_code) $(ans commune province)"
ks_checks=$((ks_checks + 1))
[ "$(ans officials official_no)" = "1|2|3|4|5" ] ||
    fail "officials simulated twice are numbered $(ans officials official_no)"
ks_checks=$((ks_checks + 1))
for y in $(ans officials off_birth_year | tr '|' ' '); do
    [ "$y" -ge 1970 ] && [ "$y" -le 2004 ] || fail "an official born in $y (2026: 22 to 56)"
done
ks_checks=$((ks_checks + 1))
declared=$(ans commune n_officials)
commune_level=$(sqlite3 "$S" "SELECT count(*) FROM answers WHERE qid = 'off_level' AND value = 'commune'")
expected=$(( declared < 5 ? declared : 5 ))
[ "$commune_level" -eq "$expected" ] ||
    fail "$commune_level of 5 officials at commune level, the commune declares $declared"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$S" "SELECT count(*) FROM answers WHERE qid = 'interview_date' AND (value > '2026-06-01' OR value < '2026-03-01')")" -eq 0 ] ||
    fail "interview dates outside the weeks before the clock: $(ans household interview_date)"
# Without a set-up, the commune's name and code vary with the seed.
for seed in 1 2 3 5 8 13; do
    "$KHAOSAT" simulate --db "$TMP/nos$seed.db" --forms "$FORMS" --form commune \
        --count 1 --seed $seed >/dev/null 2>&1
    sqlite3 "$TMP/nos$seed.db" "SELECT value FROM answers WHERE qid = 'commune'"
done > "$TMP/names"
ks_checks=$((ks_checks + 1))
[ "$(sort -u "$TMP/names" | wc -l)" -ge 3 ] ||
    fail "six seeds gave the communes $(sort -u "$TMP/names" | tr '\n' ',')"

finish
