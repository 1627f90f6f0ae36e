# shellcheck shell=bash
# Shared helpers of scripts/dev and scripts/test. Source it; do not run it.
#
#   ensure_tools [--browser]   venv (.venv: moto, cargo-lambda, cfn-lint), npm deps, chromium
#   free_port                  prints a free TCP port on 127.0.0.1
#   start_moto PORT            moto_server on 127.0.0.1:PORT, waits until it answers
#   start_lambdas PORT ENVFILE [extra cargo-lambda-watch flags]
#   warm_lambda PORT FUNCTION PATH   first request (compiles the function), waits for it
#   start_site PORT LAMBDA_PORT MOTO_PORT CONFIG
#   start_outbox_relay / start_queue_relay / start_inbound_relay   local stand-ins for AWS triggers
#   install_cleanup_trap       on exit / Ctrl-C, kill every process group started here
#
# Every background process is started in its own session (setsid), so it is the leader of
# its own process group and `kill -- -PGID` takes down its children (cargo, the function
# binaries, node) with it.

EWOKISS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export EWOKISS_ROOT
VENV="$EWOKISS_ROOT/.venv"
PY="$VENV/bin/python"
BOOTSTRAP="$EWOKISS_ROOT/scripts/localstack/bootstrap.py"
REQUIREMENTS="$EWOKISS_ROOT/scripts/requirements-dev.txt"
LOG_DIR="${LOG_DIR:-$EWOKISS_ROOT/.local/logs}"
CARGO_TARGET="${CARGO_TARGET_DIR:-$EWOKISS_ROOT/target}"

STARTED_PIDS=()
declare -A STARTED_NAMES=()
declare -A STARTED_LOGS=()

if [[ -t 2 ]]; then
  _C_BOLD=$'\033[1m' _C_BLUE=$'\033[1;34m' _C_RED=$'\033[1;31m' _C_GREEN=$'\033[1;32m' _C_OFF=$'\033[0m'
else
  _C_BOLD='' _C_BLUE='' _C_RED='' _C_GREEN='' _C_OFF=''
fi

log() { printf '%s==>%s %s\n' "$_C_BLUE" "$_C_OFF" "$*" >&2; }
warn() { printf '%swarning:%s %s\n' "$_C_RED" "$_C_OFF" "$*" >&2; }
die() {
  printf '%serror:%s %s\n' "$_C_RED" "$_C_OFF" "$*" >&2
  exit 1
}

need_cmd() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed ($2)"; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# ------------------------------------------------------------------------------ tools

ensure_venv() {
  if [[ ! -x "$PY" ]]; then
    log "creating the Python venv (.venv)"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
      # Debian ships venv/ensurepip separately.
      rm -rf "$VENV"
      command -v apt-get >/dev/null 2>&1 || die "python3 -m venv failed; install the venv module of Python 3.11"
      log "installing python3-venv"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
      python3 -m venv "$VENV" || die "python3 -m venv failed"
    fi
  fi
  local stamp="$VENV/.ewokiss-requirements" want
  want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" || ! -x "$VENV/bin/moto_server" ||
        ! -x "$VENV/bin/cargo-lambda" || ! -x "$VENV/bin/cfn-lint" ]]; then
    log "installing Python tools into .venv (moto, cargo-lambda, cfn-lint)"
    "$PY" -m pip install --disable-pip-version-check -q -r "$REQUIREMENTS"
    echo "$want" >"$stamp"
  fi
  # `cargo lambda` finds its cargo-lambda binary on PATH.
  case ":$PATH:" in *":$VENV/bin:"*) ;; *) export PATH="$VENV/bin:$PATH" ;; esac
}

ensure_node_deps() {
  local site="$EWOKISS_ROOT/static-site"
  [[ -f "$site/package.json" ]] || die "static-site/package.json is missing"
  local marker="$site/node_modules/.package-lock.json"
  if [[ ! -d "$site/node_modules" || ! -f "$marker" ||
        ( -f "$site/package-lock.json" && "$site/package-lock.json" -nt "$marker" ) ]]; then
    if [[ -f "$site/package-lock.json" ]]; then
      log "installing web dependencies (npm ci)"
      npm --prefix "$site" ci --no-audit --no-fund
    else
      log "installing web dependencies (npm install)"
      npm --prefix "$site" install --no-audit --no-fund
    fi
  fi
}

ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  command -v apt-get >/dev/null 2>&1 || die "/usr/bin/chromium is missing and apt-get is not available"
  log "installing chromium (apt-get; about a minute)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  [[ -x /usr/bin/chromium ]] || die "chromium did not install to /usr/bin/chromium"
}

# ensure_tools [--browser]
ensure_tools() {
  need_cmd cargo "install Rust: https://rustup.rs"
  need_cmd python3 "install Python 3.11"
  need_cmd node "install Node.js 20"
  need_cmd npm "install Node.js 20 (with npm)"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11 or newer is required"
  ensure_venv
  ensure_node_deps
  if [[ "${1:-}" == "--browser" ]]; then
    ensure_chromium
  fi
}

# ------------------------------------------------------------------------------ ports / http

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_in_use() {
  "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(0.5)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
EOF
}

# http_status URL [TIMEOUT] -> prints the HTTP status (000 when nothing answers)
http_status() {
  "$PY" - "$1" "${2:-3}" <<'EOF'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
EOF
}

# wait_http NAME URL TIMEOUT_S PID -> returns when URL answers with any HTTP status
wait_http() {
  local name=$1 url=$2 timeout=$3 pid=$4 start=$SECONDS
  while :; do
    if [[ $(http_status "$url" 2) != 000 ]]; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      warn "$name exited; last lines of ${STARTED_LOGS[$pid]:-its log}:"
      tail -n 40 "${STARTED_LOGS[$pid]:-/dev/null}" >&2 || true
      die "$name did not start"
    fi
    if ((SECONDS - start > timeout)); then
      tail -n 40 "${STARTED_LOGS[$pid]:-/dev/null}" >&2 || true
      die "$name did not answer at $url within ${timeout}s"
    fi
    sleep 0.3
  done
}

# ------------------------------------------------------------------------------ processes

# start_bg NAME LOGFILE CMD... -> sets LAST_PID (leader of its own session/process group)
start_bg() {
  local name=$1 logfile=$2
  shift 2
  mkdir -p "$(dirname "$logfile")"
  # Not a process-group leader (no job control in scripts), so setsid execs in place and
  # $! is the new session's leader: kill -- -$! reaches everything it spawns.
  setsid "$@" >"$logfile" 2>&1 </dev/null &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
  STARTED_NAMES[$LAST_PID]=$name
  STARTED_LOGS[$LAST_PID]=$logfile
}

stop_all() {
  local pid
  ((${#STARTED_PIDS[@]})) || return 0
  for pid in "${STARTED_PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  local deadline=$((SECONDS + 8)) alive
  while ((SECONDS < deadline)); do
    alive=0
    for pid in "${STARTED_PIDS[@]}"; do
      # the group is gone when no process of it is left
      if kill -0 -- "-$pid" 2>/dev/null; then alive=1; fi
    done
    ((alive)) || break
    sleep 0.2
  done
  for pid in "${STARTED_PIDS[@]}"; do
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  STARTED_PIDS=()
}

# EXIT_HOOK: name of a function to call (with the exit status) after everything is stopped.
EXIT_HOOK=${EXIT_HOOK:-}

_on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  if ((${#STARTED_PIDS[@]})); then
    log "stopping background processes"
    stop_all
  fi
  if [[ -n "$EXIT_HOOK" ]]; then
    "$EXIT_HOOK" "$rc" || true
  fi
  exit "$rc"
}

install_cleanup_trap() {
  trap _on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# ------------------------------------------------------------------------------ services

start_moto() {
  local port=$1
  port_in_use "$port" && die "port $port is in use (another moto / ./scripts/dev?); set MOTO_PORT"
  log "starting moto on 127.0.0.1:$port"
  start_bg moto "$LOG_DIR/moto.log" "$VENV/bin/python" "$EWOKISS_ROOT/scripts/localstack/moto_server.py" -H 127.0.0.1 -p "$port"
  MOTO_PID=$LAST_PID
  wait_http moto "http://127.0.0.1:$port/moto-api/" 60 "$MOTO_PID"
}

# start_lambdas PORT ENVFILE [extra flags for cargo lambda watch, e.g. --ignore-changes]
start_lambdas() {
  local port=$1 envfile=$2
  shift 2
  port_in_use "$port" && die "port $port is in use; set LAMBDA_PORT"
  log "starting cargo lambda watch on 127.0.0.1:$port"
  # The env file reaches each function through --env-file; it is also exported into the
  # watcher's own environment (which the `cargo run` of each function inherits).
  # The web app, docs, scripts and tests are not part of any function: editing them must not
  # restart the functions (see scripts/localstack/watch.ignore).
  start_bg lambdas "$LOG_DIR/lambdas.log" \
    env CARGO_LAMBDA_IGNORE_FILES="$EWOKISS_ROOT/scripts/localstack/watch.ignore" \
    CARGO_LAMBDA_IGNORE_FILE="$EWOKISS_ROOT/scripts/localstack/watch.ignore" \
    bash -c 'set -a; . "$1"; set +a; shift; cd "$EWOKISS_ROOT" && exec "$@"' _ "$envfile" \
    cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$port" --env-file "$envfile" "$@"
  LAMBDAS_PID=$LAST_PID
  wait_http "cargo lambda watch" "http://127.0.0.1:$port/" 120 "$LAMBDAS_PID"
}

# warm_lambda PORT FUNCTION PATH [TIMEOUT_S]: the first invocation compiles and starts the
# function; wait until it answers with something other than a 5xx.
warm_lambda() {
  local port=$1 fn=$2 path=$3 timeout=${4:-900} start=$SECONDS status
  local url="http://127.0.0.1:$port/lambda-url/$fn$path"
  log "starting function $fn (first request compiles it; log: ${STARTED_LOGS[$LAMBDAS_PID]})"
  while :; do
    status=$(http_status "$url" 300)
    if [[ $status != 000 && $status -lt 500 ]]; then
      log "$fn answers (HTTP $status on $path)"
      return 0
    fi
    kill -0 "$LAMBDAS_PID" 2>/dev/null || die "cargo lambda watch exited; see ${STARTED_LOGS[$LAMBDAS_PID]}"
    if ((SECONDS - start > timeout)); then
      warn "$fn still answers HTTP $status on $path after ${timeout}s; see ${STARTED_LOGS[$LAMBDAS_PID]}"
      return 1
    fi
    sleep 2
  done
}

# start_outbox_relay ENVFILE LAMBDA_PORT QUEUE: what AWS runs between the outbox and the
# notifications function (the pipe and the SQS trigger; see scripts/localstack/outbox_relay.py)
start_outbox_relay() {
  local envfile=$1 lambda_port=$2 queue=$3
  log "starting the outbox relay (outbox → $queue → notifications)"
  start_bg outbox-relay "$LOG_DIR/outbox-relay.log" \
    bash -c 'set -a; . "$1"; set +a; shift; exec "$@"' _ "$envfile" \
    "$PY" "$EWOKISS_ROOT/scripts/localstack/outbox_relay.py" --queue "$queue" --lambda "http://127.0.0.1:$lambda_port"
}

# start_queue_relay ENVFILE LAMBDA_PORT QUEUE FUNCTION: Lambda's SQS trigger of FUNCTION
# (e.g. BillingQueue → billing), with partial batch failures
start_queue_relay() {
  local envfile=$1 lambda_port=$2 queue=$3 function=$4
  log "starting the queue relay ($queue → $function)"
  start_bg "$function-relay" "$LOG_DIR/$function-relay.log" \
    bash -c 'set -a; . "$1"; set +a; shift; exec "$@"' _ "$envfile" \
    "$PY" "$EWOKISS_ROOT/scripts/localstack/outbox_relay.py" --no-outbox --queue "$queue" \
    --function "$function" --lambda "http://127.0.0.1:$lambda_port"
}

# start_ses_events ENVFILE LAMBDA_PORT: SES's delivery events for the mail the emulator recorded
# (mailbox simulator addresses bounce, complain, …; other addresses are delivered) → mail-events
start_ses_events() {
  local envfile=$1 lambda_port=$2
  log "starting the SES event simulator (recorded mail → mail-events)"
  start_bg ses-events "$LOG_DIR/ses-events.log" \
    bash -c 'set -a; . "$1"; set +a; shift; exec "$@"' _ "$envfile" \
    "$CARGO_TARGET/debug/ses-events" --lambda "http://127.0.0.1:$lambda_port"
}

# start_inbound_relay ENVFILE LAMBDA_PORT: the S3 trigger of inbound-mail — every new object
# under inbound/raw/ of the inbound bucket is handed to the function once (see
# scripts/localstack/deliver_inbound.py, which also delivers a single .eml by hand)
start_inbound_relay() {
  local envfile=$1 lambda_port=$2
  log "starting the inbound mail relay (inbound bucket → inbound-mail)"
  start_bg inbound-relay "$LOG_DIR/inbound-relay.log" \
    bash -c 'set -a; . "$1"; set +a; shift; exec "$@"' _ "$envfile" \
    "$PY" "$EWOKISS_ROOT/scripts/localstack/deliver_inbound.py" --watch --lambda "http://127.0.0.1:$lambda_port"
}

# start_site PORT LAMBDA_PORT MOTO_PORT CONFIG
start_site() {
  local port=$1 lambda_port=$2 moto_port=$3 config=$4
  [[ -f "$EWOKISS_ROOT/static-site/serve.mjs" ]] || die "static-site/serve.mjs is missing"
  port_in_use "$port" && die "port $port is in use; set SITE_PORT"
  log "starting the web server on 127.0.0.1:$port"
  start_bg site "$LOG_DIR/site.log" node "$EWOKISS_ROOT/static-site/serve.mjs" \
    --port "$port" --lambda "http://127.0.0.1:$lambda_port" \
    --cognito "http://127.0.0.1:$moto_port" --config "$config"
  SITE_PID=$LAST_PID
  wait_http "web server" "http://127.0.0.1:$port/config.json" 60 "$SITE_PID"
}

# ------------------------------------------------------------------------------ misc

# bootstrap SUBCOMMAND ARGS...: scripts/localstack/bootstrap.py in the venv
bootstrap() { "$PY" "$BOOTSTRAP" "$@"; }

# load_env FILE: export every variable of a bootstrap env file into this shell
load_env() {
  set -a
  # shellcheck disable=SC1090
  . "$1"
  set +a
}

# run_seed ENVFILE USERS_OUT: load demo data into the table of ENVFILE (the workspace must be built)
run_seed() {
  local envfile=$1 out=$2 bin="$CARGO_TARGET/debug/seed"
  [[ -x "$bin" ]] || die "$bin is missing (cargo build --workspace builds it)"
  # The binary built by `cargo build --workspace`: `cargo run -p` would re-resolve features.
  (load_env "$envfile" && cd "$EWOKISS_ROOT" && "$bin" --users-out "$out")
}

# print_logins USERS_JSON
print_logins() {
  "$PY" - "$1" <<'EOF'
import json, sys
users = json.load(open(sys.argv[1], encoding="utf-8"))
rows = [("login", "password", "role", "unit", "who")]
for u in users:
    rows.append((u.get("username") or u.get("email", ""), u.get("password", ""),
                 u.get("group", ""), u.get("unitId") or "-", u.get("description") or u.get("name", "")))
w = [max(len(str(r[i])) for r in rows) for i in range(4)]
for n, r in enumerate(rows):
    print("  " + "  ".join(str(c).ljust(w[i]) if i < 4 else str(c) for i, c in enumerate(r)))
    if n == 0:
        print("  " + "  ".join("-" * x for x in w) + "  " + "-" * 20)
EOF
}
