#!/bin/sh
# Paths a user gives that are not what they seem: an empty file or a FIFO
# as --db, a FIFO as a form or a report definition, a huge report
# definition, a laptop database given where a bundle or a backup is
# expected, a read-only folder for --out or around the database.  Each is
# refused at once with a message naming the file and saying what to do,
# no database is invented, and nothing saved changes.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT
chmod 755 "$TMP"
"$K" simulate --db "$TMP/lap.db" --forms "$FORMS" --form household --count 3 --seed 1 >/dev/null 2>&1
sqlite3 "$TMP/lap.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
lap=$(db_digest "$TMP/lap.db")
same_lap() { [ "$(db_digest "$TMP/lap.db")" = "$lap" ] || fail "$1 changed the laptop database"; }

# --- 4. An empty file is not a database, for reading or creating commands.
: > "$TMP/zero.db"
for cmd in conflicts "report --forms $FORMS" "simulate --forms $FORMS --form household --count 1"; do
    run "$K" $cmd --db "$TMP/zero.db"
    expect_status 1
    expect_err_contains "$TMP/zero.db is an empty file (0 bytes), not a khaosat database"
    expect_err_contains "remove the empty file first if a new database is meant"
    [ ! -s "$TMP/zero.db" ] && [ ! -e "$TMP/zero.db-wal" ] || fail "$cmd wrote into the empty file"
done

# --- 7. The store's messages speak Vietnamese too.
run env LANGUAGE=vi "$K" conflicts --db "$TMP/zero.db"
expect_status 1
expect_err_contains "$TMP/zero.db là tệp rỗng (0 byte)"
run env LANGUAGE=vi "$K" review --db "$TMP/lap.db" 00000000-0000-4000-8000-000000000000 --approve
expect_status 1
expect_err_contains "duyệt: không có phiếu 00000000-0000-4000-8000-000000000000"
same_lap "a review of no interview"

# --- 5. A FIFO anywhere a file is named: refused at once, never waited on.
mkfifo "$TMP/fifo.db" "$TMP/fifo.yaml"
for cmd in conflicts "report --forms $FORMS" "keys list"; do
    run timeout 20 "$K" $cmd --db "$TMP/fifo.db"
    expect_status 1
    expect_err_contains "$TMP/fifo.db is not a database file (a pipe, a device or a socket)"
done
run timeout 20 "$K" validate "$TMP/fifo.yaml"
expect_status 1
expect_err_contains "$TMP/fifo.yaml: cannot read the form: not a regular file"
run timeout 20 "$K" report --db "$TMP/lap.db" --forms "$FORMS" --report "$TMP/fifo.yaml"
expect_status 1
expect_err_contains "$TMP/fifo.yaml"
expect_err_contains "not a regular file (a pipe, a device or a socket)"
mkdir "$TMP/x"; mkfifo "$TMP/x/fifo.xlsx"
run timeout 20 "$K" import-xlsform "$TMP/x/fifo.xlsx"
expect_status 1
expect_err_contains "$TMP/x/fifo.xlsx: cannot open: not a regular file"
run timeout 20 "$K" restore --db "$TMP/fifo.db" "$TMP/fifo.yaml"
expect_status 1
expect_err_contains "$TMP/fifo.yaml: "
same_lap "a FIFO"

# --- 8. A report definition over 4 MB is refused before it is read.
head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' '#' > "$TMP/big.yaml"
run "$K" report --db "$TMP/lap.db" --forms "$FORMS" --report "$TMP/big.yaml"
expect_status 1
expect_err_contains "$TMP/big.yaml"
expect_err_contains "the report definition is larger than 4 MB"
same_lap "a huge report definition"

# --- 6 and 9. A laptop database (in WAL mode, with its -wal) given where a
# bundle is expected: said so, and no office database is invented.
cp "$TMP/lap.db" "$TMP/wal.db"
sqlite3 "$TMP/wal.db" "PRAGMA journal_mode" | grep -q wal || fail "the copy is not in WAL mode"
for cmd in merge "forms accept"; do
    run "$K" $cmd --db "$TMP/new/office.db" "$TMP/wal.db"
    expect_status 1
    expect_err_contains "$TMP/wal.db: a khaosat database (a laptop's or an office's), not a bundle"
    expect_err_contains "khaosat export --db FILE --to DIR"
    expect_err_contains "the new database $TMP/new/office.db was removed again"
    [ ! -e "$TMP/new/office.db" ] || fail "$cmd of a database left an office behind"
done
run "$K" verify "$TMP/wal.db"
expect_status 1
expect_err_contains "not a bundle"
run "$K" restore --db "$TMP/r.db" "$TMP/wal.db"
expect_status 1
expect_err_contains "$TMP/wal.db: a khaosat database, not a backup"
[ ! -e "$TMP/r.db" ] || fail "restore of a database made one"
# A refused key restore leaves no database either.
run env KHAOSAT_PASSPHRASE=x "$K" keys restore --db "$TMP/new/k.db" "$TMP/wal.db"
expect_status 1
[ ! -e "$TMP/new/k.db" ] || fail "a refused keys restore left a database"
# A real bundle still starts a new office.
mkdir "$TMP/usb"
"$K" export --db "$TMP/lap.db" --to "$TMP/usb" >/dev/null 2>&1
lap=$(db_digest "$TMP/lap.db")
run "$K" merge --db "$TMP/new/office.db" "$TMP"/usb/*.khb
expect_status 0
expect_err_contains "created a new database $TMP/new/office.db"
[ "$(sqlite3 "$TMP/new/office.db" 'SELECT count(*) FROM interviews')" = 3 ] || fail "the new office lacks the interviews"

# --- 9. Read-only folders: for --out, and around a database being read.
if command -v setpriv >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
    mkdir -p "$TMP/mine/ro"
    "$K" simulate --db "$TMP/mine/lap.db" --forms "$FORMS" --form household --count 2 >/dev/null 2>&1
    [ "$(id -u)" -eq 0 ] && chown -R nobody "$TMP/mine"
    chmod 555 "$TMP/mine/ro"
    before=$(db_digest "$TMP/mine/lap.db")
    run as_user "$K" report --db "$TMP/mine/lap.db" --forms "$FORMS" --out "$TMP/mine/ro/report.txt"
    expect_status 1
    expect_err_contains "$TMP/mine/ro: cannot create a file there: the folder is read-only for this user"
    expect_err_contains "choose a folder you can write"
    [ ! -e "$TMP/mine/ro/report.txt" ] || fail "a report was written into a read-only folder"
    # As khaosat leaves it (WAL mode, no -wal, no -shm) in a read-only
    # folder: read as it is, nothing made beside it (tests/cli_readonly.sh
    # has the rest).
    sqlite3 "$TMP/mine/lap.db" "PRAGMA journal_mode" | grep -q wal || fail "not in WAL mode"
    rm -f "$TMP/mine/lap.db-shm" "$TMP/mine/lap.db-wal"
    chmod 555 "$TMP/mine"
    run as_user "$K" report --db "$TMP/mine/lap.db" --forms "$FORMS"
    expect_status 0
    expect_out_contains "Only complete interviews are counted"
    [ "$(ls -A "$TMP/mine" | tr '\n' ' ')" = "lap.db ro " ] ||
        fail "a report in a read-only folder left $(ls -A "$TMP/mine")"
    chmod 755 "$TMP/mine" "$TMP/mine/ro"
    [ "$(db_digest "$TMP/mine/lap.db")" = "$before" ] || fail "a report in a read-only folder changed the database"
fi

finish
