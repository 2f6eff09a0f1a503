#!/usr/bin/env bash
# End-to-end CLI checks with the whole process clock moved back to 03:00 Vietnam time
# (libfaketime), i.e. outside the demo services' hours (07:00-17:30):
#   - `ticket issue` is refused with one clear Vietnamese line and a non-zero exit;
#   - intake still works and its code carries that day's date;
#   - with COUNTER_APP_NOW (the app's testing aid) set within hours, issue and call-next work.
# libfaketime is blunt: an absolute start (`@…`) restarts the clock in every child process,
# a positive offset makes timed waits in threads hang, FAKETIME_DONT_FAKE_MONOTONIC=1 makes
# Python's time.sleep fail with EINVAL. A negative relative offset (back to the last 03:00)
# works, so that is the only thing used here; the test suite pins time through its own seam.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v faketime >/dev/null || { echo "faketime-checks: faketime is not installed" >&2; exit 1; }
uv sync -q --frozen 2>/dev/null || uv sync -q
app=(.venv/bin/python -c "from counter_app.app import main; main()")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export COUNTER_APP_DATA_DIR="$work/data" COUNTER_APP_CONFIG="$work/no-config.toml"
unset COUNTER_APP_NOW COUNTER_APP_DB_URL
db="$work/counter.db"

now=$(date +%s)
vn_secs=$(( (now + 7 * 3600) % 86400 ))            # Vietnam is UTC+7 all year
back=$(( (vn_secs - 3 * 3600 + 86400) % 86400 ))    # seconds since the last 03:00 there
at3() { faketime -f "-${back}s" "$@"; }

fail() { echo "faketime-checks: FAIL: $*" >&2; exit 1; }

hhmm=$(at3 env TZ=Asia/Ho_Chi_Minh date +%H:%M)
today=$(at3 env TZ=Asia/Ho_Chi_Minh date +%y%m%d)
[[ $hhmm == 03:0? ]] || fail "the faked clock reads $hhmm in Vietnam, not 03:0x"
echo "faketime-checks: process clock at $hhmm Vietnam time (offset -${back}s)"

at3 "${app[@]}" --db "$db" init --demo >/dev/null

# 1. ticket issue at 03:00: refused, one Vietnamese line, non-zero exit, nothing on stdout.
set +e
out=$(at3 "${app[@]}" --db "$db" ticket issue --service HT 2>"$work/err")
rc=$?
set -e
err=$(cat "$work/err")
[[ $rc -ne 0 ]] || fail "ticket issue at 03:00 succeeded: $out"
[[ -z $out ]] || fail "ticket issue at 03:00 printed: $out"
[[ $err == "Lỗi: Lĩnh vực Hộ tịch chỉ phát số từ 07:00 đến 17:30." ]] \
  || fail "ticket issue at 03:00: unexpected message: $err"
echo "faketime-checks: ok  ticket issue at 03:00 refused (exit $rc): $err"

# 2. intake at 03:00: works, and the code is dated that (Vietnam) day.
printf '%s' '{"procedure": "1.001193", "applicant": {"name": "Nguyễn Thị Mai", "id_number": "089190001234"}}' \
  >"$work/intake.json"
code=$(at3 "${app[@]}" --db "$db" --json intake "$work/intake.json" --clerk canbo1 \
  | .venv/bin/python -c "import json, sys; print(json.load(sys.stdin)[0]['code'])")
[[ $code == *-"$today"-0001 ]] || fail "intake at 03:00 gave $code, not a code dated $today"
echo "faketime-checks: ok  intake at 03:00 gave $code"

# 3. COUNTER_APP_NOW within hours: issue and call-next work (each process starts at it).
pin="20${today:0:2}-${today:2:2}-${today:4:2}T09:00:00+07:00"
issued=$(COUNTER_APP_NOW=$pin at3 "${app[@]}" --db "$db" ticket issue --service HT)
[[ $issued == "Số 1001 · Hộ tịch"* ]] || fail "ticket issue at COUNTER_APP_NOW=$pin: $issued"
called=$(COUNTER_APP_NOW=$pin at3 "${app[@]}" --db "$db" ticket call-next --counter 1)
[[ $called == "Mời số 1001 đến quầy số 1"* ]] || fail "call-next at $pin: $called"
echo "faketime-checks: ok  with COUNTER_APP_NOW=$pin: $issued / $called"
