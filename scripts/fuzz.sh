#!/usr/bin/env bash
# Fuzz a fresh sandbox from its own /openapi.json with schemathesis (docs/openapi.md).
#   scripts/fuzz.sh                      what CI runs: fixed seed, few examples per operation
#   FUZZ_EXAMPLES=500 FUZZ_SEED=7 scripts/fuzz.sh   a longer run; extra args go to `st run`
# Starts `phonechat sandbox` on a free port with its own database, stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/st ] || ./dev phonechat --help >/dev/null  # makes .venv with the test deps

EXAMPLES=${FUZZ_EXAMPLES:-50}
SEED=${FUZZ_SEED:-20180121}
CHECKS=not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance,negative_data_rejection,ignored_auth

# The clock of the published samples, so that a run is the same whenever it happens.
. scripts/sandbox-lib.sh
start_sandbox --clock 2018-01-21T14:00:00

.venv/bin/phonechat sandbox --manifest --db "$db" >"$work/manifest.json"
# Calls as the client, the /v1/Groups/ variants as the group manager, with the tokens the
# manifest gives; the sandbox's own bookings and users, and a booking its rules accept,
# offered as values some of the time: so that operations reach past 403 and 404, and the
# stateful phase can follow CreateBooking's links to the booking it made.
.venv/bin/python - "$work/manifest.json" >"$work/schemathesis.toml" <<'TOML'
import json, sys
m = json.load(open(sys.argv[1]))
token = {role: m["users"][role]["AccessToken"] for role in ("client", "manager")}
print(f'headers = {{ Authorization = "Bearer {token["client"]}" }}')
values = {
    "booking": sorted(set(m["bookings"].values())),
    "user": [m["made_side"]["book_user_id"], *(u["UserID"] for u in m["users"].values())],
    "session": ["2018-01-25 21:30"], "accept_by": ["2018-01-24 12:00"], "duration": [15],
    "credits": [10], "method": [2], "now": ["2018-01-21T14:00:00"],
    "member": [m["users"]["member"]["UserID"]], "book_user": [m["made_side"]["book_user_id"]],
    "phone": ["07700900456"],
}
print("\n".join(f"[dictionaries.{k}]\nvalues = {json.dumps(v)}" for k, v in values.items()))
print("[parameters]")
for field, name in [("BookingID", "booking"), ("BookingIDs", "booking"), ("UserID", "user"),
                    ("BookUserID", "user"), ("SessionDate", "session"),
                    ("AcceptBy", "accept_by"), ("Duration", "duration"),
                    ("Credits", "credits"), ("Method", "method"), ("Now", "now")]:
    for where in ("query", "body"):
        print(f'"{where}.{field}" = {{ dictionary = "{name}", probability = 0.6 }}')
member = '{ dictionary = "member", probability = 0.8 }'
print(f'[[operations]]\ninclude-path-regex = "^/v1/Groups/"\n'
      f'headers = {{ Authorization = "Bearer {token["manager"]}" }}\n'
      f'parameters = {{ "query.UserID" = {member}, "body.UserID" = {member} }}')
# CreateBooking succeeds often enough to start the chains create -> details -> cancel.
create = ", ".join(f'"body.{field}" = {{ dictionary = "{name}", probability = 0.9 }}'
                   for field, name in [("BookUserID", "book_user"), ("SessionDate", "session"),
                                       ("AcceptBy", "accept_by"), ("Duration", "duration"),
                                       ("Credits", "credits"), ("Method", "method"),
                                       ("PhoneNumber", "phone")])
print(f'[[operations]]\ninclude-name = "POST /v1/PhoneChat/CreateBooking"\n'
      f'parameters = {{ {create} }}')
# The webhook calls identify the demo application by its key and secret.
app = m["app"]
print(f'[[operations]]\ninclude-path-regex = "^/v1/Webhooks/"\n'
      f'headers = {{ X-ApiKey = "{app["client_id"]}", X-ApiSecret = "{app["client_secret"]}" }}')
TOML

echo "fuzz: schemathesis against the sandbox on port $port (seed $SEED, $EXAMPLES examples per operation)"
status=0
.venv/bin/st --config-file "$work/schemathesis.toml" run "http://127.0.0.1:$port/openapi.json" \
  --checks "$CHECKS" --seed "$SEED" --max-examples "$EXAMPLES" \
  --phases examples,coverage,fuzzing,stateful --workers 1 \
  --generation-database none --request-timeout 10 --no-color \
  "$@" || status=$?
if [ "$status" -ne 0 ] && [ -s "$work/sandbox.log" ]; then
  echo "fuzz: the sandbox's log (last lines):" >&2
  tail -n 20 "$work/sandbox.log" >&2
fi
exit "$status"
