#!/bin/sh
# A database this user may only read (a copy on a read-only stick or
# folder, a file owned by another account): report, list, reviews and csv
# read it without writing anything beside it (no -wal, no -shm), without
# changing its mode or a byte of it, and print what the same database
# gives when it is writable, also when its stored figures are out of date
# (the report then replays every interview).  A -wal left beside it is
# read with its -shm, or refused in words when the -shm is gone.
#
# Root may write any file whatever its mode, but a file (or folder) with
# no write permission bit is read only by root too; as root the reader is
# also run as the user nobody (setpriv: a file owned by another account) and,
# where mounts may be made, as root itself on a read-only bind mount of
# the folder (unshare -m); each way that cannot be used here is said.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1795000000

laptop lap "Điều tra viên 1" "Xã Một"
db="$TMP/lap.db"
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form commune --count 1 --seed 2 >/dev/null
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form household --count 20 --seed 3 >/dev/null
"$KHAOSAT" simulate --db "$db" --forms "$FORMS" --form officials --count 3 --seed 4 >/dev/null
hh=$(sqlite3 "$db" "SELECT uuid FROM interviews WHERE form_id = 'household' ORDER BY uuid LIMIT 1")
"$KHAOSAT" review --db "$db" "$hh" --approve >/dev/null ||
    fail "test data: review refused"
# Another report definition: the stored figures no longer hold for it.
mkdir -p "$TMP/forms2"
cp "$FORMS"/*.yaml "$TMP/forms2/"
sed -i 's/numerator: "${hh_online_ps} = .1."/numerator: "${hh_online_ps} = '"'"'0'"'"'"/' "$TMP/forms2/report.yaml"
cmp -s "$FORMS/report.yaml" "$TMP/forms2/report.yaml" && fail "test data: report.yaml unchanged"

# outputs PROGRAM-PREFIX DB DIR: every reading command's output into DIR.
outputs() {
    runner=$1 d=$2 o=$3
    mkdir -p "$o" "$o/csv"
    chmod 777 "$o" "$o/csv"
    $runner "$KHAOSAT" report --db "$d" --forms "$FORMS" > "$o/report.txt" 2>"$o/report.err"
    echo $? > "$o/report.rc"
    $runner "$KHAOSAT" report --db "$d" --forms "$FORMS" --by-village --format csv --jobs 2 > "$o/village.csv" 2>>"$o/report.err"
    $runner "$KHAOSAT" report --db "$d" --forms "$TMP/forms2" > "$o/stale.txt" 2>"$o/stale.err"
    echo $? > "$o/stale.rc"
    $runner "$KHAOSAT" list --db "$d" > "$o/list.txt" 2>"$o/list.err"
    echo $? > "$o/list.rc"
    $runner "$KHAOSAT" reviews --db "$d" > "$o/reviews.txt" 2>"$o/reviews.err"
    echo $? > "$o/reviews.rc"
    $runner "$KHAOSAT" csv --db "$d" --forms "$FORMS" --out "$o/csv" > /dev/null 2>"$o/csv.err"
    echo $? > "$o/csv.rc"
    # A backup written elsewhere (the database's folder is not touched),
    # restored here, lists what the database lists.
    $runner "$KHAOSAT" backup --db "$d" --to "$o/lap.kbk" > /dev/null 2>"$o/backup.err"
    echo $? > "$o/backup.rc"
    rm -f "$o/back.db"
    "$KHAOSAT" restore --db "$o/back.db" "$o/lap.kbk" >/dev/null 2>>"$o/backup.err" &&
        "$KHAOSAT" list --db "$o/back.db" > "$o/back.txt" 2>>"$o/backup.err"
}

# The writable database's outputs, on a copy: the stale report stores the
# new definition's figures there, which the read-only copy cannot.
"$KHAOSAT" report --db "$db" --forms "$FORMS" >/dev/null 2>&1
sqlite3 "$db" ".backup '$TMP/w.db'"
outputs "" "$TMP/w.db" "$TMP/want"
[ "$(cat "$TMP/want/report.rc")" = 0 ] || fail "the writable report failed: $(cat "$TMP/want/report.err")"
grep -q "recomputing figures" "$TMP/want/stale.err" ||
    fail "test data: the writable copy did not recompute: $(cat "$TMP/want/stale.err")"
[ -s "$TMP/want/list.txt" ] && [ -s "$TMP/want/reviews.txt" ] ||
    fail "test data: nothing listed or reviewed"

# check_reader HOW RUNNER [FILEMODE FOLDERMODE]: the reading commands
# (and backup, to another folder) through RUNNER on a read-only copy (file 0444, folder 0555 unless said)
# leave it as it was and print what the writable copy printed.
check_reader() {
    how=$1 runner=$2 ro="$TMP/ro-$1" mode=${3:-444}
    mkdir -p "$ro"
    sqlite3 "$db" ".backup '$ro/lap.db'"
    chmod "$mode" "$ro/lap.db"
    chmod "${4:-0555}" "$ro"
    sum=$(sha256sum < "$ro/lap.db")
    outputs "$runner" "$ro/lap.db" "$TMP/got-$how"
    for f in report list reviews csv stale backup; do
        ks_checks=$((ks_checks + 1))
        [ "$(cat "$TMP/got-$how/$f.rc")" = 0 ] ||
            fail "$how: $f failed: $(cat "$TMP/got-$how/$f.err")"
    done
    for f in report.txt village.csv stale.txt list.txt reviews.txt; do
        ks_checks=$((ks_checks + 1))
        cmp -s "$TMP/want/$f" "$TMP/got-$how/$f" ||
            fail "$how: $f differs from the writable database's: $(diff "$TMP/want/$f" "$TMP/got-$how/$f" | head -5)"
    done
    ks_checks=$((ks_checks + 1))
    cmp -s "$TMP/want/list.txt" "$TMP/got-$how/back.txt" ||
        fail "$how: the backup does not list what the database lists: $(cat "$TMP/got-$how/backup.err")"
    ks_checks=$((ks_checks + 1))
    diff -r "$TMP/want/csv" "$TMP/got-$how/csv" >/dev/null ||
        fail "$how: csv files differ from the writable database's"
    ks_checks=$((ks_checks + 1))
    [ ! -s "$TMP/got-$how/report.err" ] ||
        fail "$how: the report said: $(cat "$TMP/got-$how/report.err")"
    ks_checks=$((ks_checks + 1))
    [ "$(ls -A "$ro")" = lap.db ] || fail "$how: files left beside it: $(ls -A "$ro")"
    ks_checks=$((ks_checks + 1))
    [ "$(stat -c %a "$ro/lap.db")" = "$mode" ] ||
        fail "$how: mode changed to $(stat -c %a "$ro/lap.db")"
    ks_checks=$((ks_checks + 1))
    [ "$(sha256sum < "$ro/lap.db")" = "$sum" ] || fail "$how: database bytes changed"
}

# check_wal HOW RUNNER: a copy left with its -wal (and -shm) as a crash
# leaves it is read through the log; without its -shm it is refused in
# words, and nothing is written.
check_wal() {
    how=$1 runner=$2 c="$TMP/crash-$1" w="$TMP/wal-$1"
    mkdir -p "$c" "$w"
    sqlite3 "$db" ".backup '$w/lap.db'"
    (cd "$w" && sqlite3 lap.db >/dev/null <<EOF
PRAGMA journal_mode = WAL;
PRAGMA wal_autocheckpoint = 0;
UPDATE interviews SET updated = '2030-01-01T00:00:00Z' WHERE uuid = '$hh';
.shell cp lap.db lap.db-wal lap.db-shm "$c/"
EOF
    )
    [ -s "$c/lap.db-wal" ] || fail "test data: no -wal left by the crash image"
    chmod 0444 "$c"/*
    chmod 0555 "$c"
    before=$(cd "$c" && sha256sum lap.db lap.db-wal lap.db-shm)
    run $runner "$KHAOSAT" list --db "$c/lap.db"
    expect_status 0
    expect_out_contains "$hh	complete	2030-01-01T00:00:00Z"
    ks_checks=$((ks_checks + 1))
    [ "$(cd "$c" && sha256sum lap.db lap.db-wal lap.db-shm)" = "$before" ] ||
        fail "$how: reading through the -wal changed the files"
    chmod 0755 "$c"
    rm "$c/lap.db-shm"
    chmod 0555 "$c"
    for cmd in list report; do
        run $runner "$KHAOSAT" $cmd --db "$c/lap.db" --forms "$FORMS"
        [ $cmd = list ] && run $runner "$KHAOSAT" list --db "$c/lap.db"
        expect_status 1
        expect_err_contains "$c/lap.db: its write-ahead log ($c/lap.db-wal) is beside it"
        if [ "$how" = mount ]; then
            # No one may write there: the copy is the way.
            expect_err_contains "on a read-only disk or stick, where the log cannot be read with it: copy the database with its -wal file"
        else
            expect_err_contains "another program has the database open, or khaosat stopped there"
        fi
        ks_checks=$((ks_checks + 1))
        [ "$(ls -A "$c" | tr '\n' ' ')" = "lap.db lap.db-wal " ] ||
            fail "$how: $cmd left files beside it: $(ls -A "$c")"
    done
}

# A read-only database from an older khaosat (an older schema): it must
# be upgraded, a write, so every reader says to copy it to a folder of
# one's own, and nothing is written.
mkdir -p "$TMP/old"
sqlite3 "$db" ".backup '$TMP/old/lap.db'"
sqlite3 "$TMP/old/lap.db" "PRAGMA user_version = 19"
chmod 0444 "$TMP/old/lap.db"
chmod 0555 "$TMP/old"
old_sum=$(sha256sum < "$TMP/old/lap.db")
if [ "$(id -u)" = 0 ] || [ ! -w "$TMP/old/lap.db" ]; then
    for cmd in list answer; do
        if [ $cmd = list ]; then run "$KHAOSAT" list --db "$TMP/old/lap.db"
        else run "$KHAOSAT" answer --db "$TMP/old/lap.db" "$hh" head_name "x"; fi
        expect_status 1
        [ $cmd = list ] &&
            expect_err_contains "$TMP/old/lap.db is read-only and made by an older khaosat, which must be upgraded (a write) before it is read: copy it (with its -wal file, if there is one) to a folder of yours and open the copy"
        ks_checks=$((ks_checks + 1))
        [ "$(sha256sum < "$TMP/old/lap.db")" = "$old_sum" ] && [ "$(ls -A "$TMP/old")" = lap.db ] ||
            fail "$cmd on an older read-only database wrote to it"
    done
fi

ways=0
if [ "$(id -u)" != 0 ]; then
    check_reader owner ""
    check_wal owner ""
    ways=1
else
    chmod 755 "$TMP"
    mkdir -p "$TMP/home"
    # Root itself on a file 0444 in a folder 0555: root may write it, but
    # whoever made it so meant it to be read only.
    check_reader root ""
    check_wal root ""
    before=$(sha256sum < "$TMP/ro-root/lap.db")
    run "$KHAOSAT" answer --db "$TMP/ro-root/lap.db" "$hh" head_name "Root wrote this"
    expect_status 1
    expect_err_contains "$TMP/ro-root/lap.db is read-only"
    ks_checks=$((ks_checks + 1))
    [ "$(sha256sum < "$TMP/ro-root/lap.db")" = "$before" ] &&
        [ "$(ls -A "$TMP/ro-root")" = lap.db ] ||
        fail "root: a refused answer changed the database or left files"
    ways=$((ways + 1))
    nobody="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$TMP/home"
    if $nobody "$KHAOSAT" --version >/dev/null 2>&1; then
        check_reader nobody "$nobody"
        # Another account's file (0644) in a folder all may write (1777,
        # as /tmp): SQLite would make its -wal and -shm there.
        check_reader nobody-sticky "$nobody" 644 1777
        check_wal nobody "$nobody"
        ways=$((ways + 1))
    else
        echo "note: cannot run khaosat as nobody here (setpriv): not checked as another account"
    fi
    # Root on a read-only mount: the same user, who may not write there.
    # The runner is a script: the folders mounted read-only in a mount
    # namespace of its own, the command run there.
    mkdir -p "$TMP/ro-mount" "$TMP/crash-mount"
    cat > "$TMP/rom" <<EOF
#!/bin/sh
exec unshare -m sh -c 'for d in "$TMP/ro-mount" "$TMP/crash-mount"; do mount --bind -o ro "\$d" "\$d" || exit 99; done; exec "\$@"' rom "\$@"
EOF
    chmod 755 "$TMP/rom"
    if "$TMP/rom" true 2>/dev/null; then
        "$TMP/rom" touch "$TMP/ro-mount/probe" 2>/dev/null &&
            fail "test setup: a read-only mount that can be written"
        check_reader mount "$TMP/rom"
        check_wal mount "$TMP/rom"
        ways=$((ways + 1))
    else
        echo "note: cannot mount read-only here (unshare -m): not checked on a read-only mount"
    fi
fi
if [ "$ways" = 0 ]; then
    echo "SKIP: as root with neither setpriv nor unshare, no user here is refused a write"
    exit 77
fi
finish
