#!/bin/sh
# cli_setup_households.sh: where the set-up has a household list for the
# interview's village, the household number (list_check: households) is
# checked against it: a number not on the list is refused with the reason
# and how to say it is new or missing (khaosat answer --not-on-list), which
# keeps it with a line in the question's note (it travels to the office)
# and a 'not-on-list' audit event; finalise refuses such a number not
# confirmed, and so does answering it again with the same number (saved
# before the list came) without --not-on-list, in a draft or a complete
# interview.  Second and third passes: back to a listed number (the line
# goes), back to the unlisted one (asked again), reopened and finalised.
# A village without a list takes any number.  Forms that misuse
# list_check are refused naming FILE:LINE:COL.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K="$KHAOSAT"
A="$TMP/A.db"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\n' > "$TMP/v.csv"
printf 'village,number,head\nT1,1,Lò Văn A\nT1,2,Lò Văn B\nT1,3,Lò Văn C\n' > "$TMP/h.csv"
run "$K" setup --db "$A" villages "$TMP/v.csv"
expect_status 0
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 5 >/dev/null 2>&1
U=$(sqlite3 "$A" "SELECT uuid FROM interviews LIMIT 1")
note() { sqlite3 "$A" "SELECT note FROM notes WHERE interview = '$U' AND qid = 'hh_no'"; }
hh() { sqlite3 "$A" "SELECT value FROM answers WHERE interview = '$U' AND qid = 'hh_no'"; }
line="Household 57 is not on the list of village T1 (Thôn Một): the enumerator confirmed it is new or missing from the list."

# Before the household list: 57 in T1 is taken as it is.
run "$K" answer --db "$A" "$U" village T1
expect_status 0
run "$K" answer --db "$A" "$U" hh_no 57
expect_status 0
run "$K" setup --db "$A" households "$TMP/h.csv"
expect_status 0

# The list arrived: finalising asks for the confirmation.
before=$(db_digest "$A")
run "$K" finalise --db "$A" "$U"
expect_status 1
expect_err_contains "hh_no: Household 57 is not on the list of village Thôn Một (3 households). If it is new or missing from the list, answer it again and say so (y on the screen; khaosat answer --not-on-list)."
expect_same "$A" "$before" "finalising an unconfirmed number"
# The same number given again without --not-on-list: refused as the screen
# asks (Enter on the number), the second time too; nothing changes.
for pass in 1 2; do
    run "$K" answer --db "$A" "$U" hh_no 57
    expect_status 1
    expect_err_contains "khaosat answer: hh_no of interview $U: Household 57 is not on the list of village Thôn Một (3 households). If this household is new or missing from the list, say so: khaosat answer --not-on-list $U hh_no 57"
    expect_same "$A" "$before" "the unconfirmed number again (pass $pass)"
done
# The same number confirmed: only the note line and the audit event.
run "$K" answer --db "$A" --not-on-list "$U" hh_no 57
expect_status 0
[ "$(note)" = "$line" ] || fail "the note is '$(note)'"
[ "$(sqlite3 "$A" "SELECT count(*) FROM audit WHERE interview = '$U' AND event = 'not-on-list' AND new_value = 'T1 57
$line'")" = 1 ] ||
    fail "no not-on-list audit event"
run "$K" finalise --db "$A" "$U"
expect_status 0

# A listed number: the line goes with the old number.
run "$K" answer --db "$A" "$U" hh_no 2
expect_status 0
[ -z "$(note)" ] || fail "the note kept '$(note)'"
# Back to 57: refused with the reason and the command; nothing changes.
before=$(db_digest "$A")
run "$K" answer --db "$A" "$U" hh_no 57
expect_status 1
expect_err_contains "khaosat answer: hh_no of interview $U: Household 57 is not on the list of village Thôn Một (3 households). If this household is new or missing from the list, say so: khaosat answer --not-on-list $U hh_no 57"
expect_same "$A" "$before" "an unlisted number"
[ "$(hh)" = 2 ] || fail "the number is $(hh)"
# Third pass: confirmed again, with the enumerator's own note kept.
run "$K" note --db "$A" "$U" hh_no "Hộ mới tách"
expect_status 0
run "$K" answer --db "$A" --not-on-list "$U" hh_no 57
expect_status 0
[ "$(note)" = "Hộ mới tách
$line" ] || fail "the note is '$(note)'"
run "$K" finalise --db "$A" "$U"
expect_status 0
run "$K" reopen --db "$A" "$U"
expect_status 0
run "$K" finalise --db "$A" "$U"
expect_status 0
# Said again on a complete interview: nothing changes.
before=$(db_digest "$A")
run "$K" answer --db "$A" --not-on-list "$U" hh_no 57
expect_status 0
expect_same "$A" "$before" "a confirmation on a complete interview"

# The confirmation is the event for the village's code and the number:
# said in Vietnamese, it holds for a finalise in English; a rename of the
# village keeps it.
vline="Hộ 58 không có trong danh sách hộ của thôn T1 (Thôn Một): điều tra viên xác nhận đây là hộ mới hoặc bị sót khỏi danh sách."
run "$K" reopen --db "$A" "$U"
run env LANGUAGE=vi "$K" answer --db "$A" --not-on-list "$U" hh_no 58
expect_status 0
[ "$(note)" = "Hộ mới tách
$vline" ] || fail "the Vietnamese line did not replace the old one: '$(note)'"
run "$K" finalise --db "$A" "$U"
expect_status 0
printf 'code,name\nT1,Thôn Một Mới\nT2,Thôn Hai\n' > "$TMP/v2.csv"
run "$K" setup --db "$A" villages "$TMP/v2.csv"
expect_status 0
run "$K" reopen --db "$A" "$U"
run "$K" finalise --db "$A" "$U"
expect_status 0
run "$K" reopen --db "$A" "$U"
# Another village and back: the confirmation is withdrawn with its own
# line (the enumerator's stays), and asked for again.
run "$K" answer --db "$A" "$U" village T2
expect_status 0
[ "$(note)" = "Hộ mới tách" ] || fail "a stale line stayed: '$(note)'"
[ "$(sqlite3 "$A" "SELECT quote(new_value) FROM audit WHERE interview = '$U' AND event = 'not-on-list' ORDER BY seq DESC LIMIT 1")" = "''" ] ||
    fail "the confirmation was not withdrawn"
run "$K" answer --db "$A" "$U" village T1
expect_status 0
before=$(db_digest "$A")
run "$K" finalise --db "$A" "$U"
expect_status 1
expect_err_contains "hh_no: Household 58 is not on the list of village Thôn Một Mới (3 households)."
expect_same "$A" "$before" "finalising after the village changed and back"
# A hand-written note with the very words is not a confirmation.
run "$K" note --db "$A" "$U" hh_no "Household 58 is not on the list of village T1 (Thôn Một Mới): the enumerator confirmed it is new or missing from the list."
expect_status 0
run "$K" finalise --db "$A" "$U"
expect_status 1
expect_err_contains "hh_no: Household 58 is not on the list"
# Another unlisted number confirmed: its line replaces the old one only.
run "$K" note --db "$A" "$U" hh_no "Hộ mới tách"
run "$K" answer --db "$A" --not-on-list "$U" hh_no 58
run "$K" answer --db "$A" --not-on-list "$U" hh_no 59
expect_status 0
[ "$(note)" = "Hộ mới tách
Household 59 is not on the list of village T1 (Thôn Một Mới): the enumerator confirmed it is new or missing from the list." ] ||
    fail "the note is '$(note)'"
run "$K" answer --db "$A" "$U" hh_no 1
[ "$(note)" = "Hộ mới tách" ] || fail "a stale line stayed: '$(note)'"
run "$K" answer --db "$A" "$U" village T1

# --not-on-list on a question without a list to check: refused, nothing
# changes.
before=$(db_digest "$A")
run "$K" answer --db "$A" --not-on-list "$U" head_name "Lò Văn Mới"
expect_status 2
expect_err_contains "khaosat answer: --not-on-list: question head_name has no list to check (only a question with list_check takes it); nothing was changed"
expect_same "$A" "$before" "--not-on-list on head_name"

# A household list with a number twice or an unknown village: refused
# naming the file and the line; the list kept.
before=$(db_digest "$A")
printf 'village,number,head\nT1,1,A\nT1,4,B\nT1,1,C\n' > "$TMP/hd.csv"
run "$K" setup --db "$A" households "$TMP/hd.csv"
expect_status 1
expect_err_contains "hd.csv:4: "
expect_err_contains "household 1 of village T1 appears twice"
printf 'village,number,head\nT1,1,A\nZZ,4,B\n' > "$TMP/hu.csv"
run "$K" setup --db "$A" households "$TMP/hu.csv"
expect_status 1
expect_err_contains "hu.csv:3: "
expect_err_contains "household 4 of village ZZ: no such village in the set-up"
expect_same "$A" "$before" "refused household lists"

# A village without a household list takes any number.
run "$K" answer --db "$A" "$U" village T2
expect_status 0
run "$K" answer --db "$A" "$U" hh_no 999
expect_status 0
run "$K" finalise --db "$A" "$U"
expect_status 0

# A complete interview whose number came before its village's list: the
# same number again is refused as on a draft (exit 1, the reason and the
# command), the second time too, nothing changed; confirmed, it is a
# draft again to finish; the same number a third time changes nothing.
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 8 >/dev/null 2>&1
W=$(sqlite3 "$A" "SELECT uuid FROM interviews WHERE uuid <> '$U' LIMIT 1")
run "$K" answer --db "$A" "$W" village T2
run "$K" answer --db "$A" "$W" hh_no 66
expect_status 0
run "$K" finalise --db "$A" "$W"
expect_status 0
printf 'village,number,head\nT1,1,Lò Văn A\nT2,1,Lò Văn D\n' > "$TMP/h2.csv"
run "$K" setup --db "$A" households "$TMP/h2.csv"
expect_status 0
before=$(db_digest "$A")
for pass in 1 2; do
    run "$K" answer --db "$A" "$W" hh_no 66
    expect_status 1
    expect_err_contains "khaosat answer: hh_no of interview $W: Household 66 is not on the list of village Thôn Hai (1 household). If this household is new or missing from the list, say so: khaosat answer --not-on-list $W hh_no 66"
    expect_same "$A" "$before" "the unconfirmed number of a complete interview again (pass $pass)"
done
run "$K" answer --db "$A" --not-on-list "$W" hh_no 66
expect_status 0
expect_err_contains "interview $W is a draft again; finish it with 'khaosat finalise $W'"
[ "$(sqlite3 "$A" "SELECT note FROM notes WHERE interview = '$W' AND qid = 'hh_no'")" = "Household 66 is not on the list of village T2 (Thôn Hai): the enumerator confirmed it is new or missing from the list." ] ||
    fail "the confirmation of a complete interview's number left no note line"
run "$K" finalise --db "$A" "$W"
expect_status 0
before=$(db_digest "$A")
run "$K" answer --db "$A" "$W" hh_no 66
expect_status 0
run "$K" answer --db "$A" --not-on-list "$W" hh_no 66
expect_status 0
expect_same "$A" "$before" "the confirmed number of a complete interview again"

# Through the office: the set-up comes down in a bundle, the laptop
# confirms a number on the Vietnamese screen's words, the office renames
# the village and sends it down again: the confirmation holds (finalised
# in English); the office sees the event in the laptop's audit trail.
O="$TMP/office.db"
L="$TMP/L.db"
laptop L "Trần Thị Bình" "Xã Đông Hòa"
"$K" simulate --db "$L" --forms "$FORMS" --form household --count 1 --seed 6 >/dev/null 2>&1
office_pair office L
run "$K" setup --db "$O" commune --code 26734 --name "Xã Đông Hòa" --province 01 --forms "$FORMS"
expect_status 0
run "$K" setup --db "$O" villages "$TMP/v.csv"
expect_status 0
run "$K" setup --db "$O" households "$TMP/h.csv"
expect_status 0
down() {
    rm -rf "$TMP/down"
    mkdir -p "$TMP/down"
    run "$K" export --db "$O" --down --to "$TMP/down"
    expect_status 0
    run "$K" merge --db "$L" "$TMP/down"
    expect_status 0
}
down
"$K" simulate --db "$L" --forms "$FORMS" --form household --count 1 --seed 7 --drafts >/dev/null 2>&1
V=$(sqlite3 "$L" "SELECT uuid FROM interviews ORDER BY created DESC, rowid DESC LIMIT 1")
run "$K" answer --db "$L" "$V" village T1
run env LANGUAGE=vi "$K" answer --db "$L" --not-on-list "$V" hh_no 77
expect_status 0
run "$K" finalise --db "$L" "$V"
expect_status 0
run "$K" setup --db "$O" villages "$TMP/v2.csv"
expect_status 0
down
run "$K" reopen --db "$L" "$V"
expect_status 0
run "$K" finalise --db "$L" "$V"
expect_status 0
rm -rf "$TMP/up"
mkdir -p "$TMP/up"
run "$K" export --db "$L" --to "$TMP/up"
expect_status 0
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/up"
expect_status 0
[ "$(sqlite3 "$O" "SELECT new_value FROM audit WHERE interview = '$V' AND event = 'not-on-list'")" = "T1 77
Hộ 77 không có trong danh sách hộ của thôn T1 (Thôn Một): điều tra viên xác nhận đây là hộ mới hoặc bị sót khỏi danh sách." ] ||
    fail "the office does not see the confirmation"

# Forms that misuse list_check, refused naming where.
sed 's/^    list_check: households$/    list_check: people/' "$FORMS/household.yaml" > "$TMP/bad1.yaml"
run "$K" validate "$TMP/bad1.yaml"
expect_status 1
expect_err_contains "bad1.yaml:$(grep -n 'list_check: people' "$TMP/bad1.yaml" | cut -d: -f1):17: 'list_check' names a list of the commune's set-up: only 'households' is known"
sed 's/^    choices_from: villages$//' "$FORMS/household.yaml" > "$TMP/bad2.yaml"
run "$K" validate "$TMP/bad2.yaml"
expect_status 1
expect_err_contains "bad2.yaml:$(grep -n 'list_check: households' "$TMP/bad2.yaml" | cut -d: -f1):17: 'list_check: households' needs the village to look the number up in: exactly one select_one question with 'choices_from: villages' beside it"
sed 's/^      - id: head_name$/      - id: head_name\n        list_check: households/' "$FORMS/household.yaml" > "$TMP/bad3.yaml"
run "$K" validate "$TMP/bad3.yaml"
expect_status 1
expect_err_contains "bad3.yaml:$(grep -n 'list_check: households' "$TMP/bad3.yaml" | tail -1 | cut -d: -f1):21: 'list_check: households' is only allowed on integer questions (the household number)"

finish
