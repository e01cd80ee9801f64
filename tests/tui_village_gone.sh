#!/bin/sh
# tui_village_gone.sh: cli_village_gone.sh through the screens, in a
# detached 80x24 tmux.  The office's m takes the laptop's bundle whose
# interviews answer village T2, dropped from the set-up since, and its
# summary says how many, what to do and which; the laptop's m takes the
# office's set-up and returns and says which village and what to do; a
# returned interview's C-f says the village is no longer in the set-up,
# nothing changed; another village chosen, C-f finishes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-village-gone-$$
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
mkdir -p "$TMP/down" "$TMP/up2"

"$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS" 2>/dev/null
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\nT3,Thôn Ba\n' > "$TMP/v3.csv"
printf 'code,name\nT1,Thôn Một\nT3,Thôn Ba\n' > "$TMP/v2.csv"
"$K" setup --db "$O" villages "$TMP/v3.csv" 2>/dev/null || fail "villages"
# The office's screen past its first run.
sqlite3 "$O" "INSERT OR REPLACE INTO settings VALUES ('enumerator', 'Giám sát Hà');
              INSERT OR REPLACE INTO settings VALUES ('commune', 'Xã Đông Hòa');"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 10 >/dev/null 2>&1
office_pair office A
"$K" export --db "$O" --down --to "$TMP/down" >"$TMP/d" 2>/dev/null || fail "export --down"
"$K" merge --db "$A" "$(cat "$TMP/d")" >/dev/null 2>&1 || fail "A takes the set-up"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 8 --seed 11 >/dev/null 2>&1
N=$(sqlite3 "$A" "SELECT count(DISTINCT interview) FROM answers WHERE qid = 'village' AND value = 'T2'")
U=$(sqlite3 "$A" "SELECT min(interview) FROM answers WHERE qid = 'village' AND value = 'T2'")
[ "$N" -gt 0 ] || fail "the seed draws no T2"
"$K" setup --db "$O" villages "$TMP/v2.csv" 2>/dev/null || fail "the office drops T2"
"$K" export --db "$A" --to "$TMP/up2" >/dev/null 2>&1 || fail "A exports"

# --- The office's m.
DB=$O
start_screen "$O"
wait_for "? help"
key m
wait_for "Directory with the bundles"
ask "$TMP/up2"
wait_for "1 merged" 10
whole "$N interview(s) answer a village no longer in the commune's set-up, taken as answered: the enumerator chooses another once the interview is returned (a complete one is returned by the merge; see khaosat reviews), or the office puts the village back (khaosat setup villages)"
whole "interview $U: village T2 no longer in the commune's set-up"
whole "$N complete interview(s) break their own checks once merged: returned to the enumerator"
expect_sql "SELECT count(DISTINCT interview) FROM answers WHERE qid = 'village' AND value = 'T2'" "$N"
key q
wait_for "? help"
key q
wait_exit 0

# --- The laptop's m, then the returned interview.
rm -rf "$TMP/down"
mkdir -p "$TMP/down"
"$K" export --db "$O" --down --to "$TMP/down" >/dev/null 2>&1 || fail "export --down"
DB=$A
start_screen "$A"
wait_for "? help"
key m
wait_for "Directory with the bundles"
ask "$TMP/down"
wait_for "$N returned interview(s) reopened" 10
whole "the office's set-up no longer has village T2 (Thôn Hai), the answer of $N interview(s) on this laptop: open each and choose another village before finishing it (finishing says which), or ask the office to put the village back"
key q
wait_for "Returned by the office: $N"
key Enter
wait_for "Returned by the office: $N"
key Enter
wait_for "The office returned this interview for correction"
key Enter
wait_gone "The office returned this interview"
before=$(db_digest "$A")
key C-f
wait_for "Cannot finish: 1 question(s)"
key Enter
wait_for "Mã thôn (ấp, bản)"
key C-t
wait_for "The whole question"
whole "Village T2 is no longer in the commune's set-up: the office dropped it after this interview was answered. Choose another village, or ask the office to put it back in its set-up."
key Escape
wait_gone "The whole question"
expect_same "$A" "$before" "C-f on a T2 interview"
# Another village: T1, the first of the set-up's.
key 1
wait_for "Số thứ tự của hộ"
key C-f
wait_for "complete and saved"
key Enter
# Back on the list of returns, one fewer.
wait_for "Returned by the office: $((N - 1))"
key Escape
wait_for "? help"
key q
wait_exit 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$A" "SELECT count(*) FROM interviews i JOIN answers a ON a.interview = i.uuid AND a.qid = 'village' WHERE i.status = 'complete' AND a.value = 'T1' AND i.uuid IN (SELECT interview FROM reviews)")" -ge 1 ] ||
    fail "no returned interview was finished in T1"

finish
