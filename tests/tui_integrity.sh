#!/bin/sh
# tui_integrity.sh: no edit corrupts an interview, typed on the screen as an
# enumerator would, then checked in the database and in `khaosat csv`:
# 1. lowering the household size asks, naming the member, and n keeps
#    everything while y deletes the member's answers; a new member is empty;
# 2. a complete interview opens read-only, E reopens it (audited), and it
#    cannot be finished again while it breaks a rule;
# 3. numbers are stored canonically (08 -> 8, 85,50 -> 85.5);
# 4. the same village and number on this laptop is announced at once, and
#    going on records why; the question is whole at 80x24 and 60x20, and
#    Esc goes back to correct the number;
# 5. text typed with combining marks is edited by whole characters and
#    stored in NFC (names too);
# 6. PgDn and Enter on an unanswered required question say so (a
#    select_one is never picked by a stray Enter); Ctrl-C and Esc at home
#    ask before leaving; a hang-up loses only what was being typed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-int-$$-0
starts=0
DB=$TMP/db
FORMDIR=$TESTDATA/integrity

# start: run khaosat in a fresh window on the integrity form.
start() { tui_start khaosat-int "$FORMDIR"; }

answer() { text "$1"; key Enter; }
# sql QUERY: one value from the database.
sql() { sqlite3 "$DB" "$1"; }
U() { sql "SELECT uuid FROM interviews ORDER BY created, uuid LIMIT 1"; }

# The NFD spellings: combining marks typed after the letters.
NGUYEN_NFD=$(printf 'Nguye\314\202\314\203n Va\314\206n An')
BAN_MONG_NFD=$(printf 'Ba\314\211n Mo\314\200ng')

# --- 5. a name typed with combining marks is kept in NFC.
start
# The first run asks the interface language, Vietnamese first.
wait_for "Tiếng Việt"
key Down Enter
wait_for "Enumerator name or code"
text "$NGUYEN_NFD"; key Enter
text "Tân Lập"; key Enter
wait_for "Phiếu hộ kiểm tra"
expect_sql "SELECT value FROM settings WHERE key = 'enumerator'" "Nguyễn Văn An"

key Enter
wait_for "Tên thôn"
# Three Backspaces take "g", "n" and the whole "ò" (o + grave accent).
text "$BAN_MONG_NFD"
key BSpace BSpace BSpace
text "ường"
key Enter
wait_for "Số hộ"
expect_sql "SELECT value FROM answers WHERE qid = 'village'" "Bản Mường"
expect_sql "SELECT hex(value) = hex('Bản Mường') FROM answers WHERE qid = 'village'" "1"

# --- 3. numbers as typed are stored canonically.
answer "08"
wait_for "Diện tích"
answer "85,50"
wait_for "Hộ đồng ý trả lời?"
expect_sql "SELECT value FROM answers WHERE qid = 'hh_no'" "8"
expect_sql "SELECT value FROM answers WHERE qid = 'area'" "85.5"

# --- 6. a stray Enter on a select_one picks nothing and says why.
key Enter
wait_for "Phải hỏi hộ có đồng ý không"
expect_sql "SELECT count(*) FROM answers WHERE qid = 'consent'" "0"
key 1
wait_for "Số nhân khẩu"
expect_sql "SELECT value FROM answers WHERE qid = 'consent'" "1"
# PgDn on the required household size says so too, and stays.
key PageDown
wait_for "Phải nhập số nhân khẩu"
wait_for "Số nhân khẩu"
answer "3"
wait_for "Thành viên"
for who in "Lò Văn Một:1:1970" "Lò Thị Hai:2:1975" "Lò Văn A:1:2012"; do
    name=${who%%:*}; rest=${who#*:}; sex=${rest%%:*}; year=${rest#*:}
    key Enter
    wait_for "Họ tên" || break
    answer "$name"
    wait_for "Giới tính" || break
    key "$sex"
    wait_for "Năm sinh" || break
    answer "$year"
    wait_for "$name"
done
key PageDown
wait_for "Số người mua hàng trực tuyến"
answer "2"
wait_for "End of the interview"
key C-f
wait_for "complete and saved"
key Enter
expect_sql "SELECT status FROM interviews" "complete"
expect_sql "SELECT count(*) FROM answers WHERE path = 'members[3]'" "3"
"$KHAOSAT" csv --db "$DB" --forms "$FORMDIR" --out "$TMP/csv1" >/dev/null ||
    fail "csv of the complete interview"
expect_csv_rows() {
    ks_checks=$((ks_checks + 1))
    got=$(tail -n +2 "$1" | grep -c "$2")
    [ "$got" = "$3" ] || fail "$1: $got rows with '$2', expected $3"
}
expect_csv_rows "$TMP/csv1/int_household.csv" ",complete," 1
expect_csv_rows "$TMP/csv1/int_household-members.csv" "Lò Văn A" 1

# --- 2. the complete interview opens read-only; E reopens it.
wait_for "complete 1"
key r
wait_for "complete"
key Enter
wait_for "COMPLETE (read-only)"
key 5
wait_for "press E to correct it"
expect_sql "SELECT value FROM answers WHERE qid = 'n_online'" "2"
key E
wait_for "(y/n)"
key y
wait_for "Reopened for correction"
expect_sql "SELECT status FROM interviews" "draft"
expect_sql "SELECT count(*) FROM audit WHERE event = 'status' AND new_value = 'draft'" "1"

# --- 1. lowering the size asks, naming the member; n keeps everything.
key PageUp
key PageUp
wait_for "Số nhân khẩu"
key BSpace
answer "2"
wait_for "member 3, Lò Văn A, and 3 answer(s)? (y/n)"
key n
wait_for "Nothing was removed"
expect_sql "SELECT count(*) FROM answers WHERE path = 'members[3]'" "3"
expect_sql "SELECT value FROM answers WHERE qid = 'hh_size'" "3"
key BSpace
answer "2"
wait_for "(y/n)"
key y
wait_for "Thành viên"
expect_sql "SELECT count(*) FROM answers WHERE path = 'members[3]'" "0"
expect_sql "SELECT value FROM answers WHERE qid = 'hh_size'" "2"
expect_sql "SELECT count(*) FROM audit WHERE path = 'members[3]' AND event = 'change' AND new_value IS NULL" "3"
# Back to three: member 3 is a new person with nothing picked.
key PageUp
wait_for "Số nhân khẩu"
key BSpace
answer "3"
wait_for "#3"
key Down Down Enter
wait_for "Họ tên"
answer "Lò Thị Mới"
wait_for "Giới tính"
ks_checks=$((ks_checks + 1))
screen | grep -qF "(*)" && fail "member 3 starts with a sex already picked"
key Enter
wait_for "Sorry, this response is required."
key 2
wait_for "Năm sinh"
key Enter
wait_for "3. Lò Thị Mới"
expect_sql "SELECT group_concat(qid || '=' || value, ',') FROM (SELECT qid, value FROM answers WHERE path = 'members[3]' ORDER BY qid)" "m_name=Lò Thị Mới,m_sex=2"
# Killed and resumed: the roster shows what the database holds.
sleep 0.3
kill -9 "$(cat "$TMP/pid")"
wait_exit 137
start
wait_for "drafts 1"
key r
wait_for "Interviews:"
key Enter
wait_for "3. Lò Thị Mới"
wait_for "2. Lò Thị Hai"
wait_for "1. Lò Văn Một"

# --- 2. down to one member: the interview cannot be finished again.
key PageUp
wait_for "Số nhân khẩu"
key BSpace
answer "1"
wait_for "member 2, Lò Thị Hai; member 3, Lò Thị Mới"
key y
wait_for "Thành viên"
key C-f
wait_for "Cannot finish: 1 question(s) need attention"
wait_for "Không thể nhiều hơn số nhân khẩu"
key Escape
expect_sql "SELECT status FROM interviews" "draft"
expect_sql "SELECT count(*) FROM answers WHERE path LIKE 'members[%' AND path <> 'members[1]'" "0"

# Reports and CSV count only finalised interviews and say what they left out.
run "$KHAOSAT" csv --db "$DB" --forms "$FORMDIR" --out "$TMP/csv2"
expect_status 0
expect_out_contains "1 draft(s) left out"
expect_csv_rows "$TMP/csv2/int_household.csv" "draft" 0

# --- 4. the same village and number again: announced at once.
key Escape
wait_for "Interviews:"
key Escape
wait_for "drafts 1"
key Enter
wait_for "Tên thôn"
answer "Bản Mường"
wait_for "Số hộ"
answer "8"
wait_for "same key (Bản Mường, 8)"
key c
wait_for "Why is this a different case?"
answer "Hộ tách"
wait_for "Diện tích"
expect_sql "SELECT count(*) FROM audit WHERE event = 'duplicate-key' AND new_value = '$(U) Hộ tách'" "1"

# --- 6. Ctrl-C asks; n stays, y leaves with every confirmed answer kept.
text "12"
key C-c
wait_for "Quit khaosat?"
key n
wait_for "Diện tích"
key C-c
wait_for "Quit khaosat?"
key y
wait_exit 0
expect_sql "SELECT count(*) FROM answers WHERE qid = 'area'" "1"
expect_sql "SELECT count(*) FROM interviews" "2"

# Esc at home asks before leaving the program; q leaves at once.
start
wait_for "drafts 2"
key Escape
wait_for "Quit khaosat? (y/n)"
key n
wait_for "drafts 2"
key q
wait_exit 0

# A hang-up (terminal closed) loses only the text being typed.
start
wait_for "drafts 2"
key r
wait_for "Interviews:"
key Enter
wait_for "Diện tích"
text "77"
kill -HUP "$(cat "$TMP/pid")"
ks_checks=$((ks_checks + 1))
n=50
while [ "$n" -gt 0 ] && [ ! -s "$TMP/status" ]; do sleep 0.1; n=$((n - 1)); done
[ -s "$TMP/status" ] || fail "khaosat did not end on SIGHUP"
expect_sql "SELECT count(*) FROM answers" "11"
expect_sql "SELECT count(*) FROM answers WHERE value = '77'" "0"

# --- 4. o opens the interview that has the key already; the new one stays
# a draft.
start
wait_for "drafts 2"
key Enter
wait_for "Tên thôn"
answer "Bản Mường"
wait_for "Số hộ"
answer "8"
wait_for "same key (Bản Mường, 8)"
key o
wait_gone "same key"
key C-r
wait_for "85.5"
key Escape
expect_sql "SELECT count(*) FROM interviews WHERE status = 'draft'" "3"
key Escape
wait_for "drafts 3"
key q
wait_exit 0

# --- 4. the same key again at 80x24 and at 60x20: the question is shown
# whole with every key, and Esc goes back to the number to correct it;
# nothing is flagged, and the corrected number is what is kept.
n0=$(sql "SELECT count(*) FROM interviews")
for size in "80 24" "60 20"; do
    tui_start khaosat-int "$FORMDIR" $size
    wait_for "drafts"
    key Enter
    wait_for "Tên thôn"
    answer "Bản Mường"
    wait_for "Số hộ"
    answer "8"
    whole "same key (Bản Mường, 8). o open it c continue and say why Esc correct it"
    key Escape
    wait_gone "same key"
    wait_for "Số hộ"
    key BSpace
    answer "${size%% *}"
    wait_for "Diện tích"
    key Escape
    wait_for "drafts"
    key q
    wait_exit 0
done
expect_sql "SELECT count(*) FROM interviews" "$((n0 + 2))"
expect_sql "SELECT group_concat(value, ' ') FROM (SELECT a.value FROM answers a JOIN interviews i ON i.uuid = a.interview WHERE a.qid = 'hh_no' ORDER BY i.created DESC LIMIT 2)" "60 80"
expect_sql "SELECT count(*) FROM audit WHERE event = 'duplicate-key'" "1"

finish
