#!/usr/bin/env bash
# The command line's bad inputs, as a table: each must end in ONE line that names the input and
# says what to do, with a non-zero exit status, and nothing may print a stack trace or the
# "VM attach current thread failed" noise. Then a server is started and stopped by SIGTERM and by
# SIGINT: one clean shutdown line, exit 0. Run by scripts/test.sh after the build; alone:
#   scripts/test-cli.sh          (needs server/target/depthcast-server.jar, the load tester jar, web/dist)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
listener=
cleanup() { [[ -n $listener ]] && kill "$listener" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Inputs: files that are wrong in each way the server must name.
printf 'not a model\n' >"$tmp/notes.onnx"
printf '\x08\x07\x12\xff\xff\xff garbage' >"$tmp/broken.onnx"          # starts like ONNX, is not
printf 'just text\n' >"$tmp/not.pem"
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$tmp/fake-cert.pem"
printf -- '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' >"$tmp/fake-key.pem"
printf 'engine bytes\n' >"$tmp/model.engine"
mkdir -p "$tmp/empty-web"
models=server/src/test/resources/models
busy=$(free_port)
/usr/bin/python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$busy)); s.listen(); time.sleep(600)" &
listener=$!
closed=$(free_port)   # nothing listens there

passed=0 failed=0
# On failure: the output's last lines, and first the lines that name an error (a stack trace's
# head is what says what went wrong, and the tail alone cuts it off).
fail() {
  echo "FAIL $1: $2"
  grep -E -m 8 'ERROR|WARN|Exception|Error' "$tmp/out" | sed 's/^/    ! /'
  sed 's/^/    | /' "$tmp/out" | tail -15
  failed=$((failed + 1))
}

# case NAME EXPECTED_STATUS REGEX_OF_LAST_LINE COMMAND...
case_() {
  local name=$1 want=$2 re=$3; shift 3
  timeout 60 "$@" >"$tmp/out" 2>&1 </dev/null
  local rc=$? last
  last=$(grep -v '^\s*$' "$tmp/out" | tail -1)
  if [[ $rc -ne $want ]]; then fail "$name" "exit $rc, want $want"; return; fi
  if ! grep -Eq -- "$re" <<<"$last"; then fail "$name" "last line does not match /$re/"; return; fi
  if grep -Eq $'(Exception|Error)(:|$)|^\tat |^\s+at [a-z]|VM attach|Failed to attach' "$tmp/out"; then fail "$name" "stack trace or native noise"; return; fi
  if [[ $(grep -Ec '^(depthcast|loadtest|build-engine):' "$tmp/out") -ne 1 ]]; then fail "$name" "not exactly one error line"; return; fi
  printf '  ok %-44s %s\n' "$name" "$last"
  passed=$((passed + 1))
}

serve=scripts/serve.sh
echo "--- scripts/serve.sh"
case_ "port in use"                 2 "port $busy on 127\.0\.0\.1 is in use.*--port"      $serve --port "$busy"
case_ "port out of range"           2 "--port 70000 is not a port"                        $serve --port 70000
case_ "port not a number"           2 "Invalid value for option '--port': 'abc'.*--help"  $serve --port abc
case_ "unknown flag"                2 "Unknown option.*'--prot'.*--help"                  $serve --prot 1
case_ "host does not resolve"       2 "--host no-such-host\.invalid does not resolve"     $serve --host no-such-host.invalid
case_ "host not on this machine"    2 "--host 192\.0\.2\.1 is not an address of this machine" $serve --host 192.0.2.1 --port 0 --no-auth
case_ "public host without a token" 2 "--host 192\.0\.2\.1 is reachable from other machines: give --auth-file" $serve --host 192.0.2.1 --port 0
case_ "model missing"               2 "--model $tmp/none\.onnx: no such file"             $serve --model "$tmp/none.onnx" --preset depth-anything-v2
case_ "model is not ONNX"           2 "--model $tmp/notes\.onnx is not an ONNX model"     $serve --model "$tmp/notes.onnx" --preset depth-anything-v2
case_ "model ONNX Runtime refuses"  2 "--model $tmp/broken\.onnx could not be loaded by ONNX Runtime" $serve --model "$tmp/broken.onnx" --preset depth-anything-v2
case_ "model without preset"        2 "--model needs --preset"                            $serve --model "$models/da2-signature.onnx"
case_ "model does not fit preset"   2 "does not fit preset 'depth-anything-v2'.*input must be N x 3" $serve --model "$models/bad-channels.onnx" --preset depth-anything-v2
case_ "dynamic sides preset must fix" 2 "--input-size 250x250 does not fit preset midas-small.*multiples of 32.*256x256" \
                                      $serve --model "$models/da2-signature.onnx" --preset midas-small --input-size 250x250
case_ "fixed sides differ"          2 "takes 256x256 \(HxW\).*pass --input-size 256x256"  $serve --model "$models/midas-signature.onnx" --preset midas-small --input-size 320x320
case_ "preset without model"        2 "--preset depth-anything-v2 needs --model.*relief demo" $serve --preset depth-anything-v2
case_ "unknown preset"              2 "unknown preset 'dav2'; known: relief"              $serve --model "$models/da2-signature.onnx" --preset dav2
case_ "input size malformed"        2 "--input-size 12 is not HxW"                        $serve --input-size 12
case_ "engine missing"              2 "--engine $tmp/none\.engine: no such file"          $serve --engine "$tmp/none.engine"
case_ "engine with --backend cpu"   2 "--engine .* is unused with --backend cpu.*--backend tensorrt" $serve --engine "$tmp/model.engine" --backend cpu
case_ "precision unknown"           2 "unknown precision 'fp16'; use auto, fp32 or int8"   $serve --precision fp16
case_ "precision int8, no engine"   2 "--precision int8: no INT8 engine .*build one with scripts/build-engine.sh --backend cpu" $serve --backend cpu --precision int8
case_ "tensorrt without a GPU"      2 "--backend tensorrt: .*pass --backend auto"         $serve --backend tensorrt
case_ "unknown backend"             2 "unknown backend 'gpu'; use auto, cpu, tensorrt or simulated" $serve --backend gpu
case_ "tls cert missing"            2 "--tls-cert $tmp/none\.pem: no such file"           $serve --tls-cert "$tmp/none.pem" --tls-key "$tmp/fake-key.pem"
case_ "tls key missing"             2 "--tls-key $tmp/none\.pem: no such file"            $serve --tls-cert "$tmp/fake-cert.pem" --tls-key "$tmp/none.pem"
case_ "tls cert not PEM"            2 "--tls-cert $tmp/not\.pem is not a PEM certificate" $serve --tls-cert "$tmp/not.pem" --tls-key "$tmp/fake-key.pem"
case_ "tls key not PEM"             2 "--tls-key $tmp/not\.pem is not a PEM private key"  $serve --tls-cert "$tmp/fake-cert.pem" --tls-key "$tmp/not.pem"
case_ "tls PEM but unusable"        2 "--tls-cert .* / --tls-key .*: not a PEM certificate and private key" \
                                      $serve --port 0 --tls-cert "$tmp/fake-cert.pem" --tls-key "$tmp/fake-key.pem"
case_ "tls key without cert"        2 "--tls-key needs --tls-cert too"                    $serve --tls-key "$tmp/fake-key.pem"
case_ "max batch out of range"      2 "--max-batch must be 1\.\.64, got 0"                $serve --max-batch 0
case_ "latency budget not positive" 2 "--latency-budget-ms must be > 0"                   $serve --latency-budget-ms 0
case_ "simulated cost malformed"    2 "simulated cost must be FIXED\+PER_ITEM"            $serve --simulate-inference-ms fast
case_ "devices malformed"           2 "--devices two is not all, a count \(2\) or a list"  $serve --devices two
case_ "devices with --backend cpu"  2 "--devices 2 with --backend cpu: the CPU backend runs one executor" $serve --devices 2 --backend cpu
case_ "simulated devices: all"      2 "--devices all: simulated devices have no count.*--devices 4" $serve --backend simulated --devices all
case_ "ice port range malformed"    2 "--ice-port-range must be MIN-MAX"                  $serve --ice-port-range 5000
case_ "model output unknown"        2 "--model-output absolute is not relative or metric"  $serve --model-output absolute
case_ "stabilize not on/off"        2 "--stabilize maybe is not on or off"                 $serve --stabilize maybe
case_ "dense not on/off/auto"       2 "--dense must be on, off or auto \\(got 'maybe'\\)"    $serve --dense maybe

name="--help grouped, with defaults"
if $serve --help >"$tmp/out" 2>&1 && grep -q '^Usage: scripts/serve.sh \[OPTIONS\]' "$tmp/out" \
    && [[ $(grep -cE '^(Network|Model|Scheduling|Geometry \(point cloud\)|TLS / ICE|Access and limits \(docs/security.md\)|Diagnostics):$' "$tmp/out") -eq 7 ]] \
    && ! grep -q '^Other:' "$tmp/out" && grep -q 'default: 8080' "$tmp/out"; then
  printf '  ok %-44s %s\n' "$name" "$(grep -cE '^ +(-h, )?--' "$tmp/out") flags under 7 headings"; passed=$((passed + 1))
else
  fail "$name" "headings, defaults or usage line missing"
fi

echo "--- scripts/loadtest.sh"
case_ "loadtest size malformed"     2 "^loadtest: --size must be WxH"                      scripts/loadtest.sh --size 640
case_ "loadtest clients not a number" 2 "^loadtest: Invalid value for option '--clients'" scripts/loadtest.sh --clients many
case_ "loadtest server unreachable" 3 "^loadtest: .*127\.0\.0\.1:$closed"                 scripts/loadtest.sh --url "http://127.0.0.1:$closed" --duration 1s --quiet

echo "--- scripts/build-engine.sh"
case_ "engine precision unknown"    2 "^build-engine: --precision must be fp16, int8 or both" scripts/build-engine.sh --precision fp8 --dry-run
case_ "engine backend unknown"      2 "^build-engine: --backend bogus: use cpu or tensorrt" scripts/build-engine.sh --backend bogus --dry-run
case_ "cpu engine precision"        2 "^build-engine: --precision must be fp32, int8 or both for the cpu backend" scripts/build-engine.sh --backend cpu --precision fp16 --dry-run
case_ "cpu int8 without frames"     2 "^build-engine: int8 needs frames \(--calib-images DIR" scripts/build-engine.sh --backend cpu --precision int8 --dry-run
case_ "engine midas size"           2 "^build-engine: --input-size 250x250 does not fit preset midas-small: its sides must be multiples of 32" scripts/build-engine.sh --preset midas-small --input-size 250x250 --dry-run

echo "--- a running server: warnings, then SIGTERM / SIGINT"
for sig in TERM INT; do
  port=$(free_port)
  # A terminal's Ctrl-C reaches a server whose SIGINT is not ignored. A script started in the
  # background (nohup, `cmd &` from another script) inherits SIGINT ignored, which no shell can
  # undo for its children, and a JVM started so never sees SIGINT: env restores the default.
  set -m   # job control: the server gets its own process group, as from a terminal
  env --default-signal=INT $serve --port "$port" --engine "$tmp/model.engine" --web-root "$tmp/empty-web" >"$tmp/out" 2>&1 &
  pid=$!
  set +m
  for _ in $(seq 1 150); do grep -q 'depthcast on http' "$tmp/out" && break; sleep 0.2; done
  kill -"$sig" "$pid"
  wait "$pid"; rc=$?
  name="stop on SIG$sig"
  if [[ $rc -ne 0 ]]; then fail "$name" "exit $rc"
  elif ! grep -q "depthcast: stopped cleanly" "$tmp/out"; then fail "$name" "no clean shutdown line"
  elif grep -Eq 'VM attach|Failed to attach|Exception|^\s+at ' "$tmp/out"; then fail "$name" "stack trace or native noise at exit"
  elif ! grep -q -- "--engine $tmp/model.engine is unused" "$tmp/out"; then fail "$name" "no warning that --engine is unused without a GPU"
  elif ! grep -q -- "--web-root $tmp/empty-web has no index.html" "$tmp/out"; then fail "$name" "--web-root not passed through serve.sh, or no warning"
  else printf '  ok %-44s %s\n' "$name" "$(grep 'stopped cleanly' "$tmp/out")"; passed=$((passed + 1)); fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
