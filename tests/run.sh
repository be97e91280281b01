#!/usr/bin/env bash
# Runs every test of cloudwright, from a clean clone:
#   1. formatting and lints (cargo fmt --check, clippy with warnings denied);
#   2. the Rust tests: unit, snapshot (insta), property (proptest) and CLI tests;
#   3. the third-party validators over every catalog blueprint rendered for every target:
#      cfn-lint (CloudFormation and SAM, each template in its own region), checkov (all three),
#      Mermaid (every README's diagram), terraform init/validate/fmt;
#   4. the deploy tests (tests/deploy.py): every rendered blueprint is deployed into moto's emulated
#      AWS on 127.0.0.1 — CloudFormation/SAM stacks created twice, Terraform apply, a second plan
#      with no changes, destroy. What moto cannot emulate is listed in tests/emulator_gaps.yaml.
# The validators are installed into a project-local virtualenv, .venv, from tests/requirements.txt.
# Terraform must be on PATH with a filesystem mirror of the hashicorp/aws provider (a directory
# holding registry.terraform.io/hashicorp/aws/<version>), found through CLOUDWRIGHT_TF_PLUGIN_DIR
# or in /opt/tf-plugins; without them the Terraform step is SKIPPED, or fails when CI is set.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

passed=0
failed=0
skipped=0
step() { printf '\n==> %s\n' "$*"; }
ok() { passed=$((passed + 1)); printf 'PASSED %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAILED %s\n' "$*"; }
# Counts the "PASSED|FAILED|SKIPPED<TAB>message" lines a Python harness wrote to the file $1.
tally() {
  while IFS=$'\t' read -r verdict message; do
    case $verdict in
      PASSED) ok "$message" ;;
      SKIPPED) skipped=$((skipped + 1)); echo "SKIPPED $message" ;;
      *) bad "$message" ;;
    esac
  done < "$1"
}

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
step "cargo test"
cargo test --quiet

step "cargo install --path . --locked: one binary that works on its own"
# As the README installs it, into a root of its own; then run from an empty directory with a bare
# environment, so nothing of the repository (templates, catalog, scaffolds) can be what it reads.
install_root=$(mktemp -d)
empty=$(mktemp -d)
if CARGO_INSTALL_ROOT="$install_root" cargo install --path . --locked --quiet \
  && [ "$(ls "$install_root/bin")" = cloudwright ] \
  && (cd "$empty" && env -i PATH=/usr/bin:/bin "$install_root/bin/cloudwright" --version \
    && env -i PATH=/usr/bin:/bin "$install_root/bin/cloudwright" render serverless-api --target sam --out-dir infra --quiet \
    && test -s infra/template.yaml && test -s infra/src/users-fn/index.mjs); then
  ok "cargo install: $(du -h "$install_root/bin/cloudwright" | cut -f1) binary rendered serverless-api from an empty directory"
else
  bad "cargo install: the installed binary did not render on its own"
fi
rm -rf "$install_root" "$empty"

step "render the catalog and the rendering fixtures"
bin=target/debug/cloudwright
out=target/catalog
rm -rf "$out"
mkdir -p "$out/fixtures"
# The fixtures are copied so that their lock files land under target/, not in the tree.
cp tests/fixtures/render/*.yaml "$out/fixtures/"
blueprints=""
# name=blueprint-file:kind for each rendered blueprint, for tests/deploy.py; kind is catalog or fixture.
declare -A source
for bp in $("$bin" list | awk '{print $1}'); do
  blueprints="$blueprints $bp"
  source[$bp]="blueprints/$bp.yaml:catalog"
  for target in cloudformation sam terraform; do
    "$bin" render "$bp" --target "$target" --out-dir "$out/$bp/$target" >/dev/null
  done
done
# The fixtures in one run per target, as a repository of blueprints is rendered: each blueprint
# and environment into multi/<blueprint>/<environment>/<target>/. Each environment of a blueprint
# with several is then deployed and linted as a blueprint of its own, <blueprint>-<environment>.
for target in cloudformation sam terraform; do
  "$bin" render "$out/fixtures" --target "$target" --out-dir "$out/multi" --quiet
done
for dir in "$out"/multi/*/; do
  bp=$(basename "$dir")
  envs=("$dir"*/)
  for envdir in "${envs[@]}"; do
    name=$bp
    if [ ${#envs[@]} -gt 1 ]; then name="$bp-$(basename "$envdir")"; fi
    mv "$envdir" "$out/$name"
    blueprints="$blueprints $name"
    source[$name]="$out/fixtures/$bp.yaml:fixture"
  done
done
echo "rendered:$blueprints × cloudformation, sam, terraform into $out"

step "validator virtualenv (.venv)"
stamp=.venv/requirements.sha256
want=$(sha256sum tests/requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
  echo "$want" > "$stamp"
fi
.venv/bin/cfn-lint --version
.venv/bin/checkov --version

# Each tool runs once over many templates (cfn-lint once per region), since most of a run is the
# tool starting; tests/lint.py reports every template and directory on its own.
lint_results=target/lint.tsv
: > "$lint_results"
lint_specs=()
for bp in $blueprints; do
  lint_specs+=("$bp=${source[$bp]%:*}")
done
step "cfn-lint: every CloudFormation and SAM template, in its region"
.venv/bin/python tests/lint.py cfn-lint --results "$lint_results" "${lint_specs[@]}" || bad "cfn-lint: tests/lint.py stopped with an error"
step "checkov: every blueprint, all three targets"
.venv/bin/python tests/lint.py checkov --results "$lint_results" $blueprints || bad "checkov: tests/lint.py stopped with an error"
tally "$lint_results"

step "every template read back by PyYAML (YAML 1.1, like cfn-lint)"
if .venv/bin/python tests/yaml11_check.py "$out"/*/cloudformation/*.yaml "$out"/*/sam/*.yaml; then
  ok "PyYAML reads every template with only cloudwright's top-level keys"
else
  bad "PyYAML reads a template differently"
fi

step "hostile strings read back by PyYAML (tests/yaml11_strings.py)"
# tests/properties.rs writes its hostile strings as cloudwright writes them, quoted and in comments.
if CLOUDWRIGHT_PYYAML_CASES=target/pyyaml-cases.yaml cargo test --quiet --test properties -- --ignored --exact pyyaml_cases_are_written >/dev/null \
  && report=$(.venv/bin/python tests/yaml11_strings.py target/pyyaml-cases.yaml); then
  ok "$report"
else
  printf '%s\n' "${report:-}"
  bad "PyYAML reads a hostile string differently from how it was written"
fi

step "function scaffolds: syntax, then every route against DynamoDB in moto (tests/handlers.py)"
# The Node.js handlers run with the AWS SDK the Lambda runtime ships, installed here from the npm
# registry at the versions tests/handlers/package-lock.json pins.
if .venv/bin/python tests/handlers.py > target/handlers.log 2>&1; then
  ok "function scaffolds: $(tail -n 1 target/handlers.log)"
else
  grep '^FAILED' target/handlers.log || tail -n 20 target/handlers.log
  bad "function scaffolds: $(tail -n 1 target/handlers.log)"
fi

step "Glue job scaffold: run as every catalog lake's jobs run it (tests/glue_job_check.py)"
lakes=$(grep -l 'resource "aws_glue_job"' "$out"/*/terraform/*.tf 2>/dev/null | xargs -r -n1 dirname | sort -u)
if [ -z "$lakes" ]; then
  bad "Glue job scaffold: no rendered blueprint has a Glue job"
elif report=$(.venv/bin/python tests/glue_job_check.py $lakes); then
  ok "Glue job scaffold: ${report##*$'\n'}"
else
  printf '%s\n' "$report"
  bad "Glue job scaffold: ${report##*$'\n'}"
fi

step "SARIF output against the SARIF 2.1.0 schema"
# The schema ships in Microsoft's @microsoft/jest-sarif package on the npm registry.
schema_dir=target/sarif-schema
schema="$schema_dir/package/lib/schemas/sarif-2.1.0-rtm.5.json"
if [ ! -f "$schema" ]; then
  mkdir -p "$schema_dir"
  (cd "$schema_dir" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null && tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz)
fi
for fixture in tests/fixtures/rules/suppression-problems.yaml tests/fixtures/rules/sec001-fires.yaml tests/fixtures/invalid/host-bits.yaml; do
  name=$(basename "$fixture" .yaml)
  cp "$fixture" "$out/fixtures/sarif-$name.yaml"
  "$bin" check "$out/fixtures/sarif-$name.yaml" --format sarif > "$out/$name.sarif" || true
  if .venv/bin/python tests/validate_sarif.py "$schema" "$out/$name.sarif"; then
    ok "SARIF $name"
  else
    bad "SARIF $name"
  fi
done

step "every README's architecture diagram read back by Mermaid (tests/mermaid/check.mjs)"
# Mermaid and jsdom from the npm registry, at the versions tests/mermaid/package-lock.json pins.
if [ ! -d tests/mermaid/node_modules ] || [ tests/mermaid/package-lock.json -nt tests/mermaid/node_modules ]; then
  (cd tests/mermaid && npm ci --no-audit --no-fund --silent) || bad "Mermaid: npm ci in tests/mermaid failed"
fi
mermaid_results=target/mermaid.tsv
: > "$mermaid_results"
node tests/mermaid/check.mjs "$mermaid_results" "$out"/*/*/README.md || bad "Mermaid: tests/mermaid/check.mjs stopped with an error"
tally "$mermaid_results"

step "terraform"
plugin_dir=""
for candidate in "${CLOUDWRIGHT_TF_PLUGIN_DIR:-}" /opt/tf-plugins "$HOME/.terraform.d/plugins"; do
  if [ -n "$candidate" ] && [ -d "$candidate/registry.terraform.io/hashicorp/aws" ]; then
    plugin_dir=$candidate
    break
  fi
done
missing=""
command -v terraform >/dev/null || missing="terraform is not on PATH"
[ -z "$missing" ] && [ -z "$plugin_dir" ] && missing="no hashicorp/aws provider mirror (set CLOUDWRIGHT_TF_PLUGIN_DIR)"
if [ -n "$missing" ]; then
  if [ -n "${CI:-}" ]; then
    bad "terraform: $missing"
  else
    echo "SKIPPED terraform init/validate/fmt: $missing"
  fi
else
  # Without CHECKPOINT_DISABLE every init waits seconds for HashiCorp's version check, which this
  # network cannot reach.
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  for bp in $blueprints; do
    dir="$out/$bp/terraform"
    if terraform -chdir="$dir" init -backend=false -plugin-dir="$plugin_dir" -no-color >/dev/null \
      && terraform -chdir="$dir" validate -no-color; then
      ok "terraform validate $bp"
    else
      bad "terraform validate $bp"
    fi
    if terraform fmt -check -diff -no-color "$dir"; then
      ok "terraform fmt -check $bp"
    else
      bad "terraform fmt -check $bp"
    fi
  done
fi

step "deploy into moto (emulated AWS on 127.0.0.1)"
deploy_started=$SECONDS
mkdir -p target/deploy
results=target/deploy/results.tsv
: > "$results"
port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# moto's server, with the patches tests/emulator_gaps.yaml lists as `patch: moto-server`.
.venv/bin/python tests/moto_server.py -H 127.0.0.1 -p "$port" > target/deploy/moto.log 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
endpoint="http://127.0.0.1:$port"
if .venv/bin/python - "$endpoint" <<'EOF'
import sys, time, urllib.request
for _ in range(120):
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit(1)
EOF
then
  echo "moto $(.venv/bin/python -c 'import moto; print(moto.__version__)') on $endpoint (log: target/deploy/moto.log)"
  grep '^GAP ' target/deploy/moto.log || true
  if [ -n "$missing" ]; then
    if [ -n "${CI:-}" ]; then
      bad "deploy terraform: $missing"
    else
      echo "SKIPPED deploy terraform: $missing"
    fi
  fi
  specs=()
  for bp in $blueprints; do
    specs+=("$bp=${source[$bp]}")
  done
  tf_plugins=""
  [ -z "$missing" ] && tf_plugins=$plugin_dir
  # Six Terraform deploys at once on two cores: much of each is the provider waiting (an S3
  # lifecycle configuration settles for about a minute, a KMS key for seconds), not working.
  if ! .venv/bin/python tests/deploy.py run --endpoint "$endpoint" --results "$results" \
    --plugin-dir "$tf_plugins" --jobs 6 "${specs[@]}"; then
    bad "deploy: tests/deploy.py stopped with an error"
  fi
  echo
  tally "$results"
else
  bad "deploy: moto did not answer on $endpoint (see target/deploy/moto.log)"
fi
kill "$moto_pid" 2>/dev/null || true
# Gap moto-server-sdk-retries: the SDK retries of calls moto had already answered.
grep '^RETRY ' target/deploy/moto.log | sort | uniq -c || echo "no SDK retry of a call moto had carried out"
echo "deploy step: $((SECONDS - deploy_started)) s"

echo
echo "test command: $((SECONDS - started)) s"
echo "validators: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
