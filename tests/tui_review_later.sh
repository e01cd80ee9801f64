#!/bin/sh
# tui_review_later.sh: the province merges with m on its home screen.
# Office 1's approval comes before its interview: the summary says it is
# kept for later, in the words of khaosat merge; the interview's bundle
# then brings it and the interview reads approved.  Office 2's forged
# decision kept for later and dropped when office 1 brings the pair: the
# line names office 2's bundle; office 1's older decision, kept beside it
# (its approval's bundle carries it), is taken.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-review-later-$$
. "$(dirname "$0")/dup_bound_fixture.sh"
DB=$P


"$K" review --db "$TMP/o1.db" "$X" --approve >/dev/null 2>&1 || fail "o1 approves X"
up 1 r1

start_screen "$P"
first_run "Sở Nông nghiệp" "Tỉnh Một"

# --- 1. office 2's forged decision before the pair: kept for later.
merge_dir "$TMP/f1"
wait_for "1 bundles: 1 merged" 10
whole "1 decision(s) of the office that sent it on pairs not flagged here yet kept for later"
key q

# --- 2. the approval before its interview: kept for later.
merge_dir "$TMP/r1"
wait_for "1 bundles: 1 merged" 10
whole "1 review(s) of interviews or revisions not here yet kept for later: each is taken when the revision it judged arrives"
expect_sql "SELECT count(*) FROM reviews_later" "1"
expect_sql "SELECT count(*) FROM decisions_later" "2"
key q

# --- 3. the interviews arrive: the approval and office 1's decision
# taken, office 2's decision dropped with a line naming its bundle.
merge_dir "$TMP/u1"
wait_for "1 bundles: 1 merged" 10
whole "1 review(s) of the office that sent it kept"
whole "the decision on possible duplicates $X and $Y kept for later from $F1 ignored: they are of commune 26734"
key q
expect_sql "SELECT status FROM reviews WHERE interview = '$X'" "approved"
expect_sql "SELECT count(*) FROM reviews_later" "0"
expect_sql "SELECT coalesce(decision, 'open') || ' ' || keep FROM duplicates" "same $X"
expect_sql "SELECT count(*) FROM decisions_later" "0"
key q
wait_exit 0

finish
