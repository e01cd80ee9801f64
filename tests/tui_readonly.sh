#!/bin/sh
# tui_readonly.sh: the screens on a database this user may only read (a
# commune's copy on a read-only stick): the home screen says read-only and
# offers the keys that look; an interview is browsed, the report shown and
# an interview viewed from the office's list, a backup made elsewhere (B); answering, finishing, a note,
# merging, exporting, a review and the set-up are refused in the words
# "this database is read-only: ...; copy it to a writable place to change
# it", and the file is left as it was: the same bytes (sha256), the same
# mode, nothing beside it (no -wal, no -shm).  Twice: a file 0444 in a
# folder 0555, and a file the user owns (0644) in a folder 0555 with the
# interface in Vietnamese (the refusal too, until F1 L); as root, a third
# time, root itself on a file 0444 in a folder 0555.
#
# Root may write any file, so as root khaosat is run as the user nobody
# (setpriv), as tests/cli_readonly.sh does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"
SOCK=khaosat-ro-$$
K=$KHAOSAT
laptop lap "Điều tra viên 1" "Xã Một"
src="$TMP/lap.db"
"$K" simulate --db "$src" --forms "$FORMS" --form household --count 3 --seed 3 >/dev/null
"$K" simulate --db "$src" --forms "$FORMS" --form household --count 1 \
    --drafts --seed 7 >/dev/null
U=$(sqlite3 "$src" "SELECT uuid FROM interviews WHERE status = 'draft'")
"$K" answer --db "$src" "$U" head_name "Lò Thị Mới" >/dev/null || fail "answer"

runner=""
if [ "$(id -u)" = 0 ]; then
    chmod 755 "$TMP"
    mkdir -p "$TMP/home"
    runner="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$TMP/home"
    $runner "$K" --version >/dev/null 2>&1 ||
        { echo "SKIP: as root without setpriv, no user here is refused a write"; exit 77; }
fi
KHAOSAT="$runner $K"

# refused TEXT: the refusal is on the screen, whole.
refused() {
    whole "this database is read-only: $1; copy it to a writable place to change it"
}

# ro_copy NAME FILEMODE: a copy of the laptop in $TMP/NAME (folder 0555),
# owned by the user khaosat runs as; DB names it, SUM its bytes.
ro_copy() {
    mkdir -p "$TMP/$1"
    sqlite3 "$src" ".backup '$TMP/$1/lap.db'"
    [ -n "$runner" ] && chown -R 65534 "$TMP/$1"
    chmod "$2" "$TMP/$1/lap.db"
    chmod 555 "$TMP/$1"
    DB="$TMP/$1/lap.db"
    SUM=$(sha256sum < "$DB")
}

# untouched MODE: the database as it was, nothing beside it.
untouched() {
    ks_checks=$((ks_checks + 1))
    [ "$(sha256sum < "$DB")" = "$SUM" ] || fail "$DB: bytes changed"
    ks_checks=$((ks_checks + 1))
    [ "$(stat -c %a "$DB")" = "$1" ] || fail "$DB: mode now $(stat -c %a "$DB")"
    ks_checks=$((ks_checks + 1))
    [ "$(ls -A "$(dirname "$DB")")" = lap.db ] ||
        fail "files beside it: $(ls -A "$(dirname "$DB")")"
}

# --- A file 0444 in a folder 0555.
ro_copy ro 444
why="$DB may only be read by this user"
KEEP_RESUME=1
tui_run ro 100 30
# The last draft is offered, and opens to be looked at.
wait_for "resume?"
key y
wait_for "READ-ONLY DATABASE"
wait_for "sections done"
key C-g
text "chủ hộ"
key Enter
wait_for "Lò Thị Mới"
# Typing an answer is refused, the field unchanged.
text "x"
refused "$why"
wait_for "Lò Thị Mới"
screen | grep -q "Lò Thị Mớix" && fail "a refused letter went into the field"
key C-f
refused "$why"
key C-e
refused "$why"
key Escape
wait_for "khaosat (read-only)"
wait_for "READ-ONLY  Enter list"
# Merging, exporting (up and down), the set-up, a new interview,
# conflicts, keys and the commune's set-up: refused.
for k in m e s n c k S D; do
    key "$k"
    refused "$why"
    key Space
    wait_for "READ-ONLY  Enter list"
done
# Enter lists the households' interviews; deleting one is refused, and
# one is opened to be looked at.
key Down
key Down
key Enter
wait_for "READ-ONLY   Enter look"
wait_for "Lò Thị Mới"
key d
refused "$why"
key Space
key Enter
wait_for "READ-ONLY DATABASE"
key Escape
wait_for "READ-ONLY   Enter look"
key Escape
wait_for "READ-ONLY  Enter list"
# The report, as the command gives it.
key R
wait_for "Only complete interviews are counted" 30
key Escape
wait_for "READ-ONLY  Enter list"
# The office's list: an interview viewed, its review refused.
key b
wait_for "Enter"
key Enter
wait_for "Interview (read-only)"
key a
refused "$why"
key Escape
key Escape
wait_for "READ-ONLY  Enter list"
# B backs it up to another folder (a writable one), and the backup
# restores to what the database holds.
mkdir -p "$TMP/bk"
chmod 777 "$TMP/bk"
key B
wait_for "Directory to write the backup to"
ask "$TMP/bk"
wait_for "4 interviews backed up to" 20
key Enter
wait_for "READ-ONLY  Enter list"
key q
wait_exit 0
untouched 444
run "$K" restore --db "$TMP/back.db" "$TMP"/bk/*.kbk
expect_status 0
[ "$(sqlite3 "$TMP/back.db" .dump | sha256sum)" = "$(sqlite3 "$DB" .dump | sha256sum)" ] ||
    fail "the read-only database's backup differs from it"

# --- A file of the user's own (0644) in a folder 0555, its interface in
# Vietnamese: the refusal too, and in English once F1 L switched.
sqlite3 "$src" "INSERT OR REPLACE INTO settings VALUES ('ui_lang', 'vi')"
ro_copy rodir 644
why="its folder $TMP/rodir may not be written"
KEEP_RESUME=0
tui_run rodir 100 30
wait_for "CHỈ ĐỌC  Enter danh sách"
key m
whole "cơ sở dữ liệu này chỉ đọc: không được ghi vào thư mục $TMP/rodir của nó; hãy sao chép nó sang nơi ghi được để thay đổi"
screen | grep -q "this database is read-only" && fail "English in the Vietnamese screen's refusal"
key Space
wait_for "CHỈ ĐỌC  Enter danh sách"
key '?'
wait_for "Các phím"
key L
wait_for "Keys"
key Escape
wait_for "khaosat (read-only)"
key m
refused "$why"
key Space
key R
wait_for "Only complete interviews are counted" 30
key Escape
wait_for "READ-ONLY  Enter list"
key q
wait_exit 0
untouched 644

# --- Root itself on a file 0444 in a folder 0555 of a database never set
# up: root may write it, but it is read only, with no first-run question.
if [ "$(id -u)" = 0 ]; then
    runner=""
    KHAOSAT="$K"
    "$K" simulate --db "$TMP/bare.db" --forms "$FORMS" --form household --count 2 --seed 5 >/dev/null
    src="$TMP/bare.db"
    ro_copy rootro 444
    why="$DB may only be read by this user"
    tui_run rootro 100 30
    wait_for "khaosat (read-only)"
    key n
    refused "$why"
    key Space
    wait_for "READ-ONLY  Enter list"
    key q
    wait_exit 0
    untouched 444
fi
finish
