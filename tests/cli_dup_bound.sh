#!/bin/sh
# Decisions on possible duplicates at the province come only from the
# office of the pair's commune, and may come before the pair: two
# communes' offices (each bound to its commune by the set-up it sends);
# office 1 settles a pair of its laptop's interviews.  Merged before the
# bundle that brings the pair, office 1's decision is kept for later and
# taken when the pair arrives, so the province counts the pair as the
# office does.  Office 2 (forged) sends decisions on office 1's pair:
# ignored with a line naming the bundle and the pair, the province's
# decisions unchanged, whether the pair is here already or comes after.
# An upstream set-up whose province code is not on the province list is
# refused, the province unchanged; corrected, it is taken.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

. "$(dirname "$0")/dup_bound_fixture.sh"

# The province takes office 1's decision before its pair: kept for later.
run "$K" merge --db "$P" --forms "$FORMS" "$U2"
expect_status 0
expect_out_contains "$U2: 1 decision(s) of the office that sent it on pairs not flagged here yet kept for later"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$P" "SELECT count(*) FROM duplicates")" = 0 ] || fail "a pair at the province without its interviews"
# The same bundle again changes nothing.
afterP=$(db_digest "$P")
run "$K" merge --db "$P" "$U2"
expect_status 0
expect_same "$P" "$afterP" "the decision's bundle again"
# The pair arrives: the decision kept for later is taken.
run "$K" merge --db "$P" --forms "$FORMS" "$U1"
expect_status 0
expect_out_contains "duplicates 1"
expect_out_contains "$U1: 1 decision(s) of the office that sent it on possible duplicates kept"
run "$K" duplicates --db "$P"
expect_status 0
expect_out_contains "[same household: $X kept]"
report_has "$P" "Duplicates found by merging: 1 pair(s): 0 to decide, 1 the same household, 0 different households"
report_has "$P" "Superseded duplicates left out: 1"
run "$K" csv --db "$P" --forms "$FORMS" --out "$TMP/csv"
expect_status 0
ks_checks=$((ks_checks + 1))
grep -rq "$Y" "$TMP/csv" && fail "the superseded interview is in the province's CSV"
grep -rq "$X" "$TMP/csv" || fail "the kept interview is not in the province's CSV"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$P" "SELECT count(*) FROM decisions_later")" = 0 ] || fail "a decision still kept for later"

# Office 2's forged decision on office 1's pair: ignored, said, and the
# province's decisions unchanged.
before=$(decisions "$P")
run "$K" merge --db "$P" --forms "$FORMS" "$F1"
expect_status 0
expect_out_contains "added 3"
expect_out_contains "$F1: the decision on possible duplicates $X and $Y ignored: they are of commune 26734"
expect_out_contains "only the office of a pair's commune decides it"
ks_checks=$((ks_checks + 1))
[ "$(decisions "$P")" = "$before" ] || fail "office 2's decision changed the province's: $(decisions "$P")"
run "$K" duplicates --db "$P"
expect_out_contains "[same household: $X kept]"

# At the second province the forged decision comes before the pair: kept
# for later (neither interview is there), then dropped when office 1's
# bundle brings the pair, with the line; office 1's own decision stands.
run "$K" merge --db "$P2" --forms "$FORMS" "$F1"
expect_status 0
expect_out_contains "kept for later"
run "$K" merge --db "$P2" --forms "$FORMS" "$U1"
expect_status 0
# The line names the bundle and key the dropped decision came from
# (office 2's), not the bundle being merged, and two different keys.
forged_dropped
run "$K" duplicates --db "$P2"
expect_out_contains "$X"
ks_checks=$((ks_checks + 1))
grep -q "different households\|same household" "$TMP/out" && fail "the forged decision was taken: $(cat "$TMP/out")"
run "$K" merge --db "$P2" "$U2"
expect_status 0
run "$K" duplicates --db "$P2"
expect_out_contains "[same household: $X kept]"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$P2" "SELECT count(*) FROM decisions_later")" = 0 ] || fail "a forged decision still kept for later"

# A set-up whose province code is not on the province list is refused,
# the province unchanged.
sqlite3 "$TMP/o2.db" "UPDATE settings SET value = '99' WHERE key = 'setup_province_code'"
run "$K" duplicates --db "$TMP/o2.db" --reopen "$X" "$Y"
up 2 f2
F2=$UP
afterP=$(db_digest "$P")
run "$K" merge --db "$P" --forms "$FORMS" "$F2"
expect_status 1
expect_err_contains "$F2: carries the set-up of commune 26735 (Xã Tây Sơn) with an unknown province: province code \"99\" is not in"
expect_err_contains "provinces.csv; that office sets its province right (khaosat setup commune"
expect_same "$P" "$afterP" "a set-up with an unknown province"
# Corrected at the office, the next bundle is taken.
run "$K" setup --db "$TMP/o2.db" commune --code 26735 --name "Xã Tây Sơn" --province 04
expect_status 0
up 2 f3
F3=$UP
run "$K" merge --db "$P" --forms "$FORMS" "$F2" "$F3"
expect_status 1
expect_err_contains "$F2: carries the set-up of commune 26735"
expect_out_contains "$F3: the set-up of 1 commune(s) kept"
run "$K" setup --db "$P" --communes
expect_out_contains "$(printf '26735\tXã Tây Sơn\t04\t')"

# Office 2, forged, returns office 1's interview X, which office 1 has
# approved: the return is ignored with a line naming the bundle and the
# interview, and X stays approved at the province.
run "$K" review --db "$TMP/o1.db" "$X" --approve
expect_status 0
up 1 u3
run "$K" merge --db "$P" --forms "$FORMS" "$UP"
expect_status 0
sqlite3 "$TMP/o2.db" "ATTACH '$TMP/o1.db' AS o1;
    INSERT OR REPLACE INTO reviews (interview, status, comment, reviewer, time, revision, content, commune)
    SELECT interview, 'returned', 'forged', reviewer, '2030-01-01T00:00:00.000Z', revision, content, '26735'
    FROM o1.reviews WHERE interview = '$X'"
mkdir -p "$TMP/f4"
run "$K" export --db "$TMP/o2.db" --to "$TMP/f4" --all
expect_status 0
F4=$(cat "$TMP/out")
run "$K" merge --db "$P" --forms "$FORMS" "$F4"
expect_status 0
expect_out_contains "$F4: the review of interview $X ignored: it is of commune 26734"
expect_out_contains "only the office of an interview's commune reviews it"
run "$K" reviews --db "$P" --state approved
expect_out_contains "$X"
run "$K" reviews --db "$P" --state returned
ks_checks=$((ks_checks + 1))
grep -q "$X" "$TMP/out" && fail "office 2 returned office 1's interview at the province"

finish
