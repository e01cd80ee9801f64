#!/bin/sh
# tui_dup_bound.sh: the province merges its communes' offices' bundles
# with m on its home screen.  Office 1's decision on a pair comes before
# the pair: the summary says it is kept for later; the pair's bundle
# then brings it, and the duplicates screen (c, d) shows the pair decided
# as office 1 did; taken back and decided again by office 1, the summary
# says each in the words of khaosat merge.  Office 2's forged decision on that pair is ignored
# with a line naming the bundle and the pair, the decision unchanged; a
# set-up with a province not on the province list is refused on the
# screen with the province's database unchanged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-dup-bound-$$
. "$(dirname "$0")/dup_bound_fixture.sh"
DB=$P
x8=$(echo "$X" | cut -c1-8)


start_screen "$P"
first_run "Sở Nông nghiệp" "Tỉnh Một"

# --- 1. the decision before its pair: kept for later.
merge_dir "$TMP/u2"
wait_for "1 bundles: 1 merged, 0 already merged, 0 refused, 0 skipped." 10
whole "1 decision(s) of the office that sent it on pairs not flagged here yet kept for later"
expect_sql "SELECT count(*) FROM duplicates" "0"
key q

# --- 2. the pair arrives and takes it; the duplicates screen shows it.
merge_dir "$TMP/u1"
wait_for "1 bundles: 1 merged" 10
whole "1 decision(s) of the office that sent it on possible duplicates kept"
key q
wait_for "b browse"
key c
wait_for "Open conflicts"
key d
wait_for "Possible duplicates: 1"
wait_for "[same: $x8 kept]"
expect_sql "SELECT decision || ' ' || keep FROM duplicates" "same $X"
key Escape
key Escape
wait_for "b browse"

# --- 2b. office 1 takes it back, then decides again: the summary says
# each, in the words of khaosat merge.
"$K" duplicates --db "$TMP/o1.db" --reopen "$X" "$Y" >/dev/null 2>&1
up 1 r1
merge_dir "$TMP/r1"
wait_for "1 bundles: 1 merged" 10
whole "1 decision(s) of the office that sent it on possible duplicates taken back: those pairs are to decide again (see khaosat duplicates)"
key q
expect_sql "SELECT coalesce(decision, 'open') FROM duplicates" "open"
"$K" duplicates --db "$TMP/o1.db" --same "$X" "$Y" --keep "$X" >/dev/null 2>&1
up 1 r2
merge_dir "$TMP/r2"
wait_for "1 bundles: 1 merged" 10
whole "1 decision(s) of the office that sent it on possible duplicates kept (see khaosat duplicates)"
key q
expect_sql "SELECT decision || ' ' || keep FROM duplicates" "same $X"

# --- 3. office 2's forged decision on office 1's pair: ignored, said.
before=$(decisions "$P")
merge_dir "$TMP/f1"
wait_for "1 bundles: 1 merged" 10
whole "the decision on possible duplicates $X and $Y ignored: they are of commune 26734"
key q
ks_checks=$((ks_checks + 1))
[ "$(decisions "$P")" = "$before" ] || fail "office 2's decision changed the province's on the screen"

# --- 4. a set-up with an unknown province: refused, nothing kept.
sqlite3 "$TMP/o2.db" "UPDATE settings SET value = '99' WHERE key = 'setup_province_code'"
"$K" duplicates --db "$TMP/o2.db" --reopen "$X" "$Y" >/dev/null 2>&1
up 2 f2
afterP=$(db_digest "$P")
merge_dir "$TMP/f2"
wait_for "1 bundles: 0 merged, 0 already merged, 1 refused, 0 skipped." 10
whole "with an unknown province: province code \"99\" is not in"
key q
expect_same "$P" "$afterP" "a set-up with an unknown province, on the screen"
key q
wait_exit 0

finish
