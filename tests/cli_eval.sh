#!/bin/sh
# cli_eval.sh: black-box tests of `khaosat eval`.
. "$(dirname "$0")/lib.sh"
TZ=UTC
export TZ

# ok EXPECTED ARGS...: `khaosat eval ARGS` prints EXPECTED and exits 0.
ok() {
    want=$1
    shift
    run "$KHAOSAT" eval "$@"
    expect_status 0
    expect_out "$want"
    [ -s "$TMP/err" ] && fail "eval $*: wrote to stderr: $(cat "$TMP/err")"
}

# Values are written as ODK stores them.
ok 3 '1 + 2'
ok 0.30000000000000004 '0.1 + 0.2'
ok 1000000000000000000000 '1000000 * 1000000 * 1000000 * 1000'
ok 2.5 '10 div 4'
ok Infinity '1 div 0'
ok -Infinity '-1 div 0'
ok '' '0 div 0'
ok NaN 'string(0 div 0)'
ok true "'2' = 2"
ok false '1 > 2'
ok -1 'max(-4, -1, -3)'
ok 3 'round(2.5)'
ok -2 'round(-2.5)'
ok 0 '-0'
ok 'Việt Nam' "concat('Việt', ' ', 'Nam')"
ok 8 "string-length('Việt Nam')"
ok '-5' -- '-5'

# Answers from --set are text; the expression makes them numbers where it
# computes with them, so a phone number keeps its leading zero.
ok 0912345678 --set .=0912345678 '.'
ok true --set .=0912345678 "regex(., '0[0-9]{9}')"
ok 10 --set .=0912345678 'string-length(.)'
ok 912345679 --set .=0912345678 '. + 1'
ok true --set .=0912345678 '. > 5'
ok 007 --set txt=007 'concat(${txt}, "")'
ok true --set age=25 '${age} = 25.0'
# Unicode regular expressions, substr from the end, lenient dates.
ok true --set name='Nguyễn Văn An' "regex(\${name}, '[\\p{L} .]+')"
ok false --set name='Nguyễn V4n' "regex(\${name}, '[\\p{L} .]+')"
ok lo 'substr("hello", -2)'
ok 1970-01-02 'date("1970-1-2")'
ok true "selected(., '')"
ok 5 --set a=2 --set b= --set c=3 'sum(${a}) + sum(${b}) + sum(${c})'
ok 26 --set age=25 '${age} + 1'
ok true --set age=25 '${age} >= 18 and ${age} < 60'
ok true --set sm='a b c' "selected(\${sm}, 'b')"
ok 3 --set sm='a b c' 'count-selected(${sm})'
ok Lan --set=name=Lan '${name}'
ok 'x' --set name= "coalesce(\${name}, 'x')"
ok true --set txt=007 '${txt} = 7'
ok 'a=b' --set 'eq=a=b' '${eq}'
ok 2 --set age=1 --set age=2 '${age}'
ok hanoi --set commune=hanoi 'commune'

# The current answer.
ok 10 --set .=9 '. + 1'
ok 9 --set .=9 'once(5)'
ok 5 'once(5)'
ok true '. = ""'

# The clock.
ok 2024-03-05 --now 2024-03-05 'today()'
ok 2024-03-06 --now 2024-03-05 'date(today() + 1)'
ok 05/03/2024 --now=1709634030 "format-date(today(), '%d/%m/%Y')"
ok 8771 --now 2024-03-05 --set dob=2000-02-29 'today() - ${dob}'
ok 2024-03-05T10:20:30.000+00:00 --now 2024-03-05T10:20:30Z 'now()'

# Lists: instance() and pulldata() read the choice lists of --form.
G="$TESTDATA/good.yaml"
ok 'Thôn 2' --form "$G" "instance('village')/root/item[commune = 'c2']/label"
ok 'Thôn 2' --form="$G" --set c=c2 "instance('village')/root/item[commune = \${c}]/label"
ok 2 --form "$G" "count(instance('village')/root/item)"
ok 'v01 v02' --form "$G" "join(' ', instance('village')/root/item)"
ok north --form "$G" "pulldata('village', 'zone', 'name', 'v02')"
ok '' --form "$G" "pulldata('village', 'zone', 'name', 'v01')"
ok 0 "count(instance('village')/root/item)"
ok 'Thôn 1' --form "$G" "instance('village')/root/item[1]/label"
ok 'v02 v01' --form "$G" "join(' ', randomize(instance('village')/root/item, 1))"
ok ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "digest('abc', 'SHA-256', 'hex')"
ok 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=' --set .=abc "digest(., 'SHA-256')"
ok x --set a=x "indexed-repeat(\${a}, \${a}, 1)"
run "$KHAOSAT" eval --form "$TESTDATA/bad_cycle.yaml" '1'
expect_status 1
expect_err_contains "bad_cycle.yaml:"
expect_err_contains "dependency cycle"
run "$KHAOSAT" eval --form "$TMP/missing.yaml" '1'
expect_status 1
expect_err_contains "missing.yaml"
run "$KHAOSAT" eval "digest('abc', 'MD5')"
expect_status 1
expect_err_contains "column 15: digest algorithm 'MD5' is not available"
run "$KHAOSAT" eval '${a}/2' --set a=1
expect_status 1
expect_err_contains "column 5: unexpected '/' after a complete expression (divide with div)"

# Help.
run "$KHAOSAT" eval --help
expect_status 0
expect_out_contains "Usage: khaosat eval"

# Bad expressions: the column, the message, the expression and a caret.
run "$KHAOSAT" eval '1 + (2 * 3'
expect_status 1
expect_out ""
cat >"$TMP/want" <<'END'
khaosat eval: column 11: missing ')'
  1 + (2 * 3
            ^
END
cmp -s "$TMP/want" "$TMP/err" || fail "caret report differs: $(cat "$TMP/err")"

run "$KHAOSAT" eval "'Việt' + #"
expect_status 1
cat >"$TMP/want" <<'END'
khaosat eval: column 10: unexpected character '#'
  'Việt' + #
           ^
END
cmp -s "$TMP/want" "$TMP/err" || fail "UTF-8 caret differs: $(cat "$TMP/err")"

run "$KHAOSAT" eval "foo(1)"
expect_status 1
expect_err_contains "khaosat eval: column 1: unknown function 'foo'"

run "$KHAOSAT" eval "substr('a')"
expect_status 1
expect_err_contains "wrong number of arguments to 'substr' (expects 2 or 3, got 1)"

run "$KHAOSAT" eval "'abc"
expect_status 1
expect_err_contains "column 1: unterminated string"

run "$KHAOSAT" eval "   "
expect_status 1
expect_err_contains "column 1: empty expression"

run "$KHAOSAT" eval --set a=1 '${a} + ${x}'
expect_status 1
expect_out ""
expect_err_contains "khaosat eval: column 8: unknown reference \${x}; give it with --set x=VALUE"

run "$KHAOSAT" eval 'commune = 1'
expect_status 1
expect_err_contains "unknown name 'commune'; give it with --set commune=VALUE"

# Usage errors exit 2.
run "$KHAOSAT" eval
expect_status 2
expect_err_contains "Usage: khaosat eval"

run "$KHAOSAT" eval '1' '2'
expect_status 2
expect_err_contains "exactly one expression"

run "$KHAOSAT" eval --set novalue '1'
expect_status 2
expect_err_contains "--set needs NAME=VALUE"

run "$KHAOSAT" eval --set
expect_status 2

run "$KHAOSAT" eval --now yesterday 'today()'
expect_status 2
expect_err_contains "--now"

run "$KHAOSAT" eval --bogus '1'
expect_status 2
expect_err_contains "unknown option '--bogus'"

# --set values are normalised to NFC as answers typed on the screen are, so
# a Vietnamese name typed with combining marks passes a \p{L} check here
# as it does in the form.
nfd=$(printf 'Nguye\314\202\314\203n Va\314\206n')
run "$KHAOSAT" eval --set ".=$nfd" "regex(., '[\\p{L} ]+') and string-length(.) = 10"
expect_status 0
expect_out "true"

finish
