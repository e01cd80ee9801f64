# tests/golden_lib.sh: the seeded databases and the fixed list of
# read-only commands whose outputs must not change unless a change means
# them to. Used by tests/cli_golden.sh (against the checked-in outputs in
# tests/data/golden) and tests/same_outputs.sh (one revision against
# another). Source it; it defines functions only.
#
# Everything runs in a fixed locale, time zone and clock, and names every
# file relatively to the folder it works in, so that no output holds the
# date, a temporary path or the machine's language.

golden_env() {
    export LC_ALL=C.UTF-8 LANG=C.UTF-8 LANGUAGE= TZ=ICT-7
    export SOURCE_DATE_EPOCH=1780300800     # 2026-06-01T08:00:00Z
    unset KHAOSAT_DB KHAOSAT_FORMS KHAOSAT_PASSPHRASE KHAOSAT_TEST_SEED
}

# golden_make KHAOSAT FORMS DIR: two laptops' databases (a.db, b.db), the
# bundles they export (up/a.khb, up/b.khb) and an office database that
# merged them and reviewed two interviews (office.db), all in DIR. With a
# khaosat whose simulate takes --clock, the same call makes the same files
# byte for byte.
golden_make() {
    (
        k=$1 forms=$2
        cd "$3" || exit 1
        golden_env
        clock=
        "$k" simulate --help 2>&1 | grep -q -- --clock \
            && clock="--clock 2026-06-01T08:00:00Z"
        sim() { # DB FORM COUNT SEED [--drafts]
            db=$1 form=$2 n=$3 seed=$4
            shift 4
            # shellcheck disable=SC2086 # $clock is empty or two words
            "$k" simulate --db "$db" --forms "$forms" --form "$form" \
                --count "$n" --seed "$seed" $clock "$@" >/dev/null 2>&1
        }
        # The settings the first-run screen asks for.
        i=0
        for l in a:An:01 b:Bình:02; do
            i=$((i + 1))
            sim "${l%%:*}.db" household 0 "$i" || exit 1
            IFS=: read -r db who village <<EOS
$l
EOS
            sqlite3 "$db.db" "INSERT INTO settings VALUES ('enumerator', '$who');
                INSERT INTO settings VALUES ('commune', 'Xã $village');" || exit 1
        done
        sim a.db commune 1 11 && sim a.db household 12 12 \
            && sim a.db officials 3 13 && sim a.db business 2 14 \
            && sim a.db household 2 15 --drafts \
            && sim b.db household 8 21 && sim b.db household 1 12 \
            || { echo "golden_make: simulate failed" >&2; exit 1; }
        mkdir -p up ua ub
        # Each writing command its own seed: two runs seeded alike would
        # make the same bundle id.
        KHAOSAT_TEST_SEED=101 "$k" export --db a.db --to ua >/dev/null 2>&1 \
            && KHAOSAT_TEST_SEED=102 "$k" export --db b.db --to ub \
                >/dev/null 2>&1 \
            && mv ua/*.khb up/a.khb && mv ub/*.khb up/b.khb \
            && rmdir ua ub \
            || { echo "golden_make: export failed" >&2; exit 1; }
        # Older builds took no --forms here.
        set -- --db office.db
        "$k" merge --help 2>&1 | grep -q -- --forms && set -- "$@" --forms "$forms"
        KHAOSAT_TEST_SEED=103 "$k" merge "$@" up/a.khb up/b.khb \
            >/dev/null 2>&1 \
            || { echo "golden_make: merge failed" >&2; exit 1; }
        # One approved and one returned interview, the first two by uuid.
        set -- $(sqlite3 office.db "SELECT uuid FROM interviews WHERE
                 status = 'complete' AND form_id = 'household'
                 ORDER BY uuid LIMIT 2")
        if [ $# -eq 2 ] && "$k" help 2>&1 | grep -q '^  review '; then
            KHAOSAT_TEST_SEED=104 "$k" review --db office.db "$1" --approve \
                >/dev/null 2>&1
            KHAOSAT_TEST_SEED=105 "$k" review --db office.db "$2" --return \
                --comment "Kiểm tra lại số nhân khẩu" >/dev/null 2>&1
        fi
        exit 0
    )
}

# golden_commands: the fixed list, one command a line: NAME and the
# arguments after khaosat. @DB stands for a fresh copy of the database
# named after it, @FORMS for the forms folder; outputs into files go to
# out/ under the run's folder.
golden_commands() {
    cat <<'EOF'
report-text report --db @office.db --forms @FORMS
report-markdown report --db @office.db --forms @FORMS --format markdown
report-csv report --db @office.db --forms @FORMS --format csv
report-html report --db @office.db --forms @FORMS --format html
report-proposal report --db @office.db --forms @FORMS --format proposal --out out/proposal.odt
report-vi report --db @office.db --forms @FORMS --lang vi
report-communes report --db @office.db --forms @FORMS --communes
report-communes-csv report --db @office.db --forms @FORMS --communes --format csv
report-laptop report --db @a.db --forms @FORMS
csv-office csv --db @office.db --forms @FORMS --out out/csv
csv-labels csv --db @a.db --forms @FORMS --out out/csvl --labels --lang vi --drafts
reviews reviews --db @office.db
reviews-returned reviews --db @office.db --state returned
duplicates duplicates --db @office.db
conflicts conflicts --db @office.db --all
verify verify --db @office.db up/a.khb up/b.khb
verify-laptop verify --db @b.db up/a.khb
validate validate @FORMS/household.yaml @FORMS/commune.yaml @FORMS/officials.yaml @FORMS/business.yaml
validate-coverage validate --coverage @FORMS/household.yaml
keys-list keys list --db @office.db
setup-show setup --db @office.db
EOF
}

# golden_run KHAOSAT FORMS DIR OUT: run every command of the list with
# KHAOSAT on copies of DIR's databases, in a scratch folder beside them;
# OUT/NAME gets its standard output, then its standard error and exit
# status, then the files it wrote under out/, each after a header line.
golden_run() {
    (
        k=$1 forms=$2 dir=$3 out=$4
        golden_env
        mkdir -p "$out"
        golden_commands | while read -r name args; do
            work=$(mktemp -d "${TMPDIR:-/tmp}/khaosat-golden.XXXXXX")
            cp "$dir"/*.db "$work"/ && cp -r "$dir"/up "$work"/
            mkdir "$work/out"
            ln -s "$forms" "$work/forms"
            # shellcheck disable=SC2086 # the list's words split on purpose
            set -- $(printf '%s\n' "$args" \
                     | sed -e 's|@FORMS|forms|g' -e 's|@\([a-z]*\.db\)|\1|g')
            status=0
            (cd "$work" && "$k" "$@" >stdout 2>stderr) || status=$?
            {
                cat "$work/stdout"
                echo "--- stderr, exit $status"
                cat "$work/stderr"
                (cd "$work" && find out -type f | LC_ALL=C sort) |
                    while read -r f; do
                        echo "--- $f"
                        case $f in
                        # A zip: its members' names and contents.
                        *.odt) (cd "$work" && unzip -Z1 "$f" | LC_ALL=C sort |
                               while read -r m; do
                                   echo "--- $f:$m"
                                   unzip -p "$f" "$m"
                               done) ;;
                        *) cat "$work/$f" ;;
                        esac
                    done
            } >"$out/$name"
            rm -rf "$work"
        done
    )
}
