#!/bin/sh
# Reviews and decisions that reach the province before what they judge.
# Office 1 sends its interviews (U1), then an approval alone (R1): merged
# in either order, the province ends with the same reviews; merged first,
# the approval is kept for later, said as such, and taken when its
# interview arrives.  A newer review from the office replaces the one kept
# (R2, a return), an older one merged after it does not; the same bundles
# again change nothing.  A return of an interview that never travels up
# (a draft at the office) is kept quietly, never a note on every later
# bundle.  Office 2's forged decision kept for later and dropped when
# office 1 brings the pair names office 2's bundle and key, and the
# province's decisions are the same in either order.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

. "$(dirname "$0")/dup_bound_fixture.sh"

# fresh NAME: a copy of the province before any merge, $TMP/NAME.db.
fresh() { sqlite3 "$P2" ".backup '$TMP/$1.db'"; }
# merge_ok DB BUNDLE...: merge, status 0.
merge_ok() {
    m_db=$1
    shift
    run "$K" merge --db "$m_db" --forms "$FORMS" "$@"
    expect_status 0
}
# reviews DB: every review state, and what is still kept for later.
reviews() {
    "$K" reviews --db "$1" 2>/dev/null
    sqlite3 "$1" "SELECT interview, status FROM reviews_later ORDER BY 1, 2"
}
later() { sqlite3 "$1" "SELECT count(*) FROM reviews_later"; }
# correct UUID NAME DIR: laptop 1 corrects the interview's head's name and
# sends it to office 1 in a fresh DIR.
correct() {
    "$K" reopen --db "$A" "$1" >/dev/null 2>&1 || fail "$1 reopened"
    "$K" answer --db "$A" "$1" head_name "$2" >/dev/null 2>&1 || fail "$1 corrected"
    "$K" finalise --db "$A" "$1" >/dev/null 2>&1 || fail "$1 finalised again"
    mkdir -p "$TMP/$3"
    "$K" export --db "$A" --to "$TMP/$3" >/dev/null 2>&1 || fail "l1 exports $1's correction"
    merge_ok "$TMP/o1.db" "$TMP/$3"
}

run "$K" review --db "$TMP/o1.db" "$X" --approve
expect_status 0
up 1 r1
R1=$UP

# --- 1. the approval after its interview, then before it.
fresh pa
merge_ok "$TMP/pa.db" "$U1"
merge_ok "$TMP/pa.db" "$R1"
expect_out_contains "$R1: 1 review(s) of the office that sent it kept"
fresh pb
merge_ok "$TMP/pb.db" "$R1"
expect_out_contains "$R1: 1 review(s) of interviews or revisions not here yet kept for later: each is taken when the revision it judged arrives"
ks_checks=$((ks_checks + 1))
grep -q "ignored" "$TMP/out" && fail "the early review was ignored: $(cat "$TMP/out")"
ks_checks=$((ks_checks + 1))
[ "$(later "$TMP/pb.db")" = 1 ] || fail "the early review is not kept for later"
# The same bundle again: already merged, nothing changes.
afterB=$(db_digest "$TMP/pb.db")
merge_ok "$TMP/pb.db" "$R1"
expect_out_contains "already merged"
expect_same "$TMP/pb.db" "$afterB" "the review's bundle again"
merge_ok "$TMP/pb.db" "$U1"
expect_out_contains "$U1: 1 review(s) of the office that sent it kept"
run "$K" reviews --db "$TMP/pb.db" --state approved
expect_out_contains "$X"
ks_checks=$((ks_checks + 1))
[ "$(reviews "$TMP/pa.db")" = "$(reviews "$TMP/pb.db")" ] ||
    fail "the province's reviews depend on the merge order: $(reviews "$TMP/pa.db") / $(reviews "$TMP/pb.db")"
ks_checks=$((ks_checks + 1))
[ "$(later "$TMP/pb.db")" = 0 ] || fail "a review still kept for later once taken"
# Third pass: both bundles again change nothing.
afterB=$(db_digest "$TMP/pb.db")
merge_ok "$TMP/pb.db" "$R1" "$U1"
expect_same "$TMP/pb.db" "$afterB" "both bundles again"

# --- 2. a newer review replaces the one kept; an older one after it
# does not; the interview then shows the newest.
run "$K" review --db "$TMP/o1.db" "$X" --return --comment "Kiểm tra lại số nhân khẩu"
expect_status 0
up 1 r2
R2=$UP
for order in "U1 R1 R2" "R1 R2 U1" "R2 R1 U1" "R2 U1 R1"; do
    name=p$(echo "$order" | tr -d ' ' | tr 'A-Z' 'a-z')
    fresh "$name"
    for b in $order; do
        eval "bundle=\$$b"
        merge_ok "$TMP/$name.db" "$bundle"
        if [ "$order" = "R1 R2 U1" ] && [ "$b" = R2 ]; then
            expect_out_contains "$R2: 1 review(s) of interviews or revisions not here yet kept for later"
            ks_checks=$((ks_checks + 1))
            [ "$(sqlite3 "$TMP/$name.db" "SELECT status FROM reviews_later")" = returned ] ||
                fail "the newer review did not replace the one kept"
        fi
        if [ "$order" = "R2 R1 U1" ] && [ "$b" = R1 ]; then
            ks_checks=$((ks_checks + 1))
            grep -q "kept for later" "$TMP/out" && fail "an older review replaced the newer one kept: $(cat "$TMP/out")"
        fi
    done
    run "$K" reviews --db "$TMP/$name.db" --state returned
    expect_out_contains "Kiểm tra lại số nhân khẩu"
    ks_checks=$((ks_checks + 1))
    [ "$(reviews "$TMP/$name.db")" = "$(reviews "$TMP/pu1r1r2.db")" ] ||
        fail "order $order: reviews differ: $(reviews "$TMP/$name.db")"
done

# --- 3. an approval kept until a later revision of its interview
# arrives: it judges its own revision, so the interview reads "changed",
# as at the office, in either order.
run "$K" review --db "$TMP/o1.db" "$Y" --approve
expect_status 0
up 1 r3
R3=$UP
correct "$Y" "Nguyễn Văn Mới" lap1b
run "$K" reviews --db "$TMP/o1.db" --state changed
expect_out_contains "$Y"
up 1 u5
U5=$UP
fresh pd
merge_ok "$TMP/pd.db" "$R3"
expect_out_contains "$R3: 2 review(s) of interviews or revisions not here yet kept for later"
merge_ok "$TMP/pd.db" "$U1" "$U5"
run "$K" reviews --db "$TMP/pd.db" --state changed
expect_out_contains "$Y"
fresh pe
merge_ok "$TMP/pe.db" "$U1" "$U5" "$R3"
ks_checks=$((ks_checks + 1))
[ "$(reviews "$TMP/pd.db")" = "$(reviews "$TMP/pe.db")" ] ||
    fail "a review of an older revision depends on the merge order: $(reviews "$TMP/pd.db") / $(reviews "$TMP/pe.db")"

# --- 4. a return of an interview that never travels up (a draft at the
# office): kept quietly, no note on every later bundle.
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 99 >/dev/null 2>&1
W=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY created DESC, uuid LIMIT 1")
mkdir -p "$TMP/lap1c"
"$K" export --db "$A" --to "$TMP/lap1c" >/dev/null 2>&1 || fail "l1 exports W"
merge_ok "$TMP/o1.db" "$TMP/lap1c"
run "$K" review --db "$TMP/o1.db" "$W" --return --comment "Thiếu diện tích"
expect_status 0
up 1 r6
merge_ok "$TMP/pd.db" "$UP"
ks_checks=$((ks_checks + 1))
grep -q "ignored" "$TMP/out" && fail "a return of an interview never sent up made a note: $(cat "$TMP/out")"
run "$K" review --db "$TMP/o1.db" "$X" --approve
up 1 r7
merge_ok "$TMP/pd.db" "$UP"
expect_out_contains "1 review(s) of the office that sent it kept"
ks_checks=$((ks_checks + 1))
grep -q "ignored\|$W\|not here yet" "$TMP/out" && fail "the return of W makes a note on a later bundle: $(cat "$TMP/out")"

# --- 5. office 2's forged decision on office 1's pair, in either order:
# dropped, the note naming office 2's bundle and key; the same decisions.
fresh pf
merge_ok "$TMP/pf.db" "$F1"
expect_out_contains "$F1: 1 decision(s) of the office that sent it on pairs not flagged here yet kept for later"
merge_ok "$TMP/pf.db" "$U1"
expect_out_contains "$U1: the decision on possible duplicates $X and $Y kept for later from $F1 ignored: they are of commune 26734"
expect_out_contains "but that bundle is signed by $(sqlite3 "$TMP/pf.db" "SELECT signer FROM bundles WHERE file = '$F1'")"
merge_ok "$TMP/pf.db" "$U2"
fresh pg
merge_ok "$TMP/pg.db" "$U1" "$U2" "$F1"
expect_out_contains "$F1: the decision on possible duplicates $X and $Y ignored: they are of commune 26734"
ks_checks=$((ks_checks + 1))
[ "$(decisions "$TMP/pf.db")" = "$(decisions "$TMP/pg.db")" ] ||
    fail "the province's decisions depend on the merge order: $(decisions "$TMP/pf.db") / $(decisions "$TMP/pg.db")"
run "$K" duplicates --db "$TMP/pf.db"
expect_out_contains "[same household: $X kept]"

# --- 6. an approval of a correction the province does not have yet: kept
# until the corrected revision arrives (never "changed" meanwhile), in
# either order, the same bundles again changing nothing; a newer review
# of that revision (a return) replaces the one kept, an older one merged
# after it does not.
Z=$(sqlite3 "$A" "SELECT uuid FROM interviews WHERE uuid NOT IN ('$X', '$Y', '$W') AND status = 'complete' ORDER BY uuid LIMIT 1")
correct "$Z" "Trần Thị Sửa" lap1d
up 1 ua
UA=$UP
run "$K" review --db "$TMP/o1.db" "$Z" --approve
expect_status 0
up 1 ub
UB=$UP
# state DB: Z's review state.
state() { "$K" reviews --db "$1" 2>/dev/null | awk -F'\t' -v z="$Z" '$1 == z { print $4 }'; }
sqlite3 "$TMP/pd.db" ".backup '$TMP/ph.db'"
sqlite3 "$TMP/pd.db" ".backup '$TMP/pi.db'"
merge_ok "$TMP/ph.db" "$UB"
expect_out_contains "$UB: 1 review(s) of interviews or revisions not here yet kept for later"
ks_checks=$((ks_checks + 1))
[ "$(state "$TMP/ph.db")" = unreviewed ] ||
    fail "an approval of a revision not here yet reads $(state "$TMP/ph.db")"
run "$K" reviews --db "$TMP/ph.db" --state changed
ks_checks=$((ks_checks + 1))
grep -q "$Z" "$TMP/out" && fail "Z reads changed before its approved revision arrives"
afterB=$(db_digest "$TMP/ph.db")
merge_ok "$TMP/ph.db" "$UB"
expect_out_contains "already merged"
expect_same "$TMP/ph.db" "$afterB" "the approval's bundle again"
merge_ok "$TMP/ph.db" "$UA"
expect_out_contains "$UA: 1 review(s) of the office that sent it kept"
ks_checks=$((ks_checks + 1))
[ "$(state "$TMP/ph.db")" = approved ] ||
    fail "the kept approval not taken when its revision arrived: $(state "$TMP/ph.db")"
ks_checks=$((ks_checks + 1))
[ "$(later "$TMP/ph.db")" = 0 ] || fail "a review still kept once its revision arrived"
afterB=$(db_digest "$TMP/ph.db")
merge_ok "$TMP/ph.db" "$UA" "$UB"
expect_same "$TMP/ph.db" "$afterB" "both bundles again"
merge_ok "$TMP/pi.db" "$UA" "$UB"
ks_checks=$((ks_checks + 1))
[ "$(reviews "$TMP/ph.db")" = "$(reviews "$TMP/pi.db")" ] ||
    fail "an approval of a correction depends on the merge order: $(reviews "$TMP/ph.db") / $(reviews "$TMP/pi.db")"
run "$K" review --db "$TMP/o1.db" "$Z" --return --comment "Hỏi lại diện tích"
expect_status 0
up 1 uc
UC=$UP
for order in "UA UB UC" "UB UC UA" "UC UB UA"; do
    name=pz$(echo "$order" | tr -d ' ' | tr 'A-Z' 'a-z')
    sqlite3 "$TMP/pd.db" ".backup '$TMP/$name.db'"
    for b in $order; do
        eval "bundle=\$$b"
        merge_ok "$TMP/$name.db" "$bundle"
        if [ "$order" = "UB UC UA" ] && [ "$b" = UC ]; then
            expect_out_contains "$UC: 1 review(s) of interviews or revisions not here yet kept for later"
            ks_checks=$((ks_checks + 1))
            [ "$(sqlite3 "$TMP/$name.db" "SELECT status FROM reviews_later WHERE interview = '$Z'")" = returned ] ||
                fail "the newer review did not replace the one kept for its revision"
        fi
        if [ "$order" = "UC UB UA" ] && [ "$b" = UB ]; then
            ks_checks=$((ks_checks + 1))
            grep -q "kept for later" "$TMP/out" && fail "an older review replaced the newer one kept for its revision: $(cat "$TMP/out")"
        fi
    done
    ks_checks=$((ks_checks + 1))
    [ "$(state "$TMP/$name.db")" = returned ] ||
        fail "order $order: Z reads $(state "$TMP/$name.db"), not returned"
    ks_checks=$((ks_checks + 1))
    [ "$(reviews "$TMP/$name.db")" = "$(reviews "$TMP/pzuaubuc.db")" ] ||
        fail "order $order: reviews differ: $(reviews "$TMP/$name.db")"
done

finish
