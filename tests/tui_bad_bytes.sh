#!/bin/sh
# tui_bad_bytes.sh: a byte that is not UTF-8 (a Latin-1 key: 0x80, 0xC3,
# 0xE9, 0xFF), typed or pasted, or a paste cut inside a character, is
# dropped after a short wait; the keys after it act again, on the
# interview screen and on the home screen (they used to freeze both for
# good, Ctrl-C and q too), and the answer saved is the text typed
# without the stray bytes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"
SOCK=khaosat-bytes-$$
at_head_name bytes
key C-u
text "Lò "
t send-keys -H 80
text "Văn "
t send-keys -H c3
sleep 0.3
text "Ánh"
t send-keys -H e9 ff
text " "
# A character cut between two pastes: "abc\xe1\xbb" then "\x91def".
printf 'abc\341\273' > "$TMP/p1"
printf '\221def' > "$TMP/p2"
t load-buffer "$TMP/p1"
t paste-buffer -p
t load-buffer "$TMP/p2"
t paste-buffer -p
# ... and a plain paste ending inside a character, nothing after it.
printf 'gh\341\273' > "$TMP/p3"
t load-buffer "$TMP/p3"
t paste-buffer
sleep 0.3
text "ố"
wait_for "Lò Văn Ánh abcdefghố"
key Enter
wait_gone "Lò Văn Ánh abcdefghố"
expect_sql "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name'" \
    "Lò Văn Ánh abcdefghố"
# Esc still leaves after a stray byte (nothing typed since Enter).
t send-keys -H ff
key Escape
wait_for "Enter new"
# The home screen: a stray byte, then ? opens the keys.
t send-keys -H c3
sleep 0.3
key '?'
wait_for "the interviews of the highlighted form"
key q
wait_gone "the interviews of the highlighted form"
t send-keys -H e9
key q
wait_exit 0
expect_sql "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name'" \
    "Lò Văn Ánh abcdefghố"
finish
