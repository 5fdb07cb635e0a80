#!/usr/bin/env bash
# The collector's configuration file as an operator uses it: options from --config, the
# command line overriding them, --check-config, and a one-line error naming FILE:LINE.
set -u
bin="$1"
dir=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in out err; do [ -f "$dir/$f" ] && { echo "--- $f"; cat "$dir/$f"; }; done; exit 1; }

cat >"$dir/good.conf" <<CONF
# a comment, then options as the command line has them
listen = unix:$dir/c.sock
listen tcp:127.0.0.1:0     # the '=' is optional
metrics = 127.0.0.1:0
allow-commands = true
allow-remote = false
warn-stuck-s = 7
lint-growth-samples = 4    # the old spelling of warn-growth-samples
log-level = "info"
CONF

# --check-config: valid, names the file, starts nothing.
"$bin" --config "$dir/good.conf" --check-config >"$dir/out" 2>"$dir/err" || fail "--check-config refused a valid file"
grep -qx "actorscope-collector: configuration valid ($dir/good.conf)" "$dir/out" || fail "no 'configuration valid' line"
[ ! -e "$dir/c.sock" ] || fail "--check-config opened a listener"

# The file's options are used; a flag on the command line wins, even before --config.
"$bin" --metrics none --config "$dir/good.conf" >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 300); do
  [ "$(grep -c 'listening on' "$dir/out")" -ge 2 ] && break
  kill -0 "$pid" 2>/dev/null || fail "collector exited early"
  sleep 0.1
done
grep -q "^actorscope-collector: listening on unix:$dir/c.sock$" "$dir/out" || fail "the file's unix listen was not used"
grep -qE "^actorscope-collector: listening on tcp:127\.0\.0\.1:[1-9][0-9]*$" "$dir/out" || fail "the file's tcp listen was not used"
grep -q "metrics on" "$dir/out" && fail "--metrics none on the command line did not override the file"
kill -TERM "$pid"; wait "$pid"; pid=""

# Errors: one line naming FILE:LINE, exit 2, nothing started.
expect_error() {  # name, file contents, the text the error must hold
  printf '%s\n' "$2" >"$dir/$1.conf"
  "$bin" --config "$dir/$1.conf" --check-config >"$dir/out" 2>"$dir/err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "$1: exit $rc, expected 2"
  [ "$(wc -l <"$dir/err")" -eq 1 ] || fail "$1: more than one line on stderr"
  grep -qF "$3" "$dir/err" || fail "$1: stderr does not say '$3'"
}
expect_error unknown "$(printf 'listen = tcp:127.0.0.1:0\nno-such-option = 3')" "$dir/unknown.conf:2: "
expect_error bad_number "warn-stuck-s = soon" "$dir/bad_number.conf:1: "
expect_error dashes "--listen = tcp:127.0.0.1:0" "$dir/dashes.conf:1: expected 'name = value'"
expect_error no_value "metrics =" "$dir/no_value.conf:1: 'metrics' has no value"
expect_error nested "config = other.conf" "$dir/nested.conf:1: 'config' belongs on the command line"
"$bin" --config "$dir/missing.conf" >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] && grep -q "cannot read configuration file '$dir/missing.conf'" "$dir/err" || fail "a missing file is not named"

# --check-config reads the files the options name: a missing token file fails the check.
printf 'token-file = %s\n' "$dir/no-token" >"$dir/token.conf"
"$bin" --config "$dir/token.conf" --check-config >"$dir/out" 2>"$dir/err" && fail "a missing token file passed the check"
grep -q "no-token" "$dir/err" || fail "the missing token file is not named"
echo "ok"
