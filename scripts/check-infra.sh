#!/usr/bin/env bash
# `npm run check:infra`: every operations config checked by its own tool. Needs Debian's docker-compose, prometheus
# (promtool) and nginx packages (.ci/run installs them); everything else comes from node_modules or python3.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failed=0
step() { echo "── $*"; }
fail() { echo "FAILED: $*" >&2; failed=1; }

for tool in docker-compose promtool nginx openssl python3; do
  command -v "$tool" >/dev/null || { echo "check:infra needs $tool (apt-get install -y docker-compose prometheus nginx)" >&2; exit 2; }
done

step "docker-compose config: docker-compose.yml (every profile) and infra/deploy/docker-compose.yml"
FIXUP_ENV_FILE=.env.example docker-compose --env-file .env.example -f docker-compose.yml --profile elk config -q \
  || fail "docker-compose.yml"
cp .env.example "$tmp/.env"
cp infra/deploy/docker-compose.yml "$tmp/docker-compose.yml"
(cd "$tmp" && ECR_REGISTRY=registry.example/fixup IMAGE_TAG=0000000 docker-compose --profile migrate config -q) \
  || fail "infra/deploy/docker-compose.yml"

step "promtool check config / check rules / test rules (alerts), check rules (every Grafana panel's PromQL as a recording rule)"
promtool check config infra/prometheus/prometheus.yml || fail "infra/prometheus/prometheus.yml"
promtool check rules infra/prometheus/alerts.yml || fail "infra/prometheus/alerts.yml"
promtool test rules infra/prometheus/alerts.test.yml || fail "infra/prometheus/alerts.test.yml (alert unit tests)"
npx tsx scripts/infra/dashboard-rules.ts >"$tmp/dashboard-rules.yml"
promtool check rules "$tmp/dashboard-rules.yml" || fail "Grafana dashboard queries (infra/grafana/dashboards)"

step "nginx -t on infra/nginx/fixup.conf"
# Upstream and exporter names resolve only inside compose: point them at loopback. Debian's nginx (1.22) predates
# the open-source `resolve` server parameter (1.27.3, the version compose runs), so that one word is dropped here.
mkdir -p "$tmp/nginx/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -keyout "$tmp/nginx/certs/tls.key" -out "$tmp/nginx/certs/tls.crt" 2>/dev/null
sed -e 's/server gateway:4000 resolve;/server 127.0.0.1:4000;/' \
    -e 's/syslog:server=nginxlog-exporter:/syslog:server=127.0.0.1:/' \
    -e "s#/etc/nginx/snippets/#$tmp/nginx/#" \
    -e "s#/etc/nginx/certs/#$tmp/nginx/certs/#" \
    infra/nginx/fixup.conf >"$tmp/nginx/fixup.conf"
cp infra/nginx/fixup-proxy.conf "$tmp/nginx/"
cat >"$tmp/nginx/nginx.conf" <<EOF
pid $tmp/nginx/nginx.pid;
error_log stderr;
events {}
http {
  include /etc/nginx/mime.types;
  include $tmp/nginx/fixup.conf;
}
EOF
nginx -t -q -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" || fail "infra/nginx/fixup.conf"

step "GitHub workflows: action-validator"
for workflow in .github/workflows/*.yml; do npx action-validator "$workflow" || fail "$workflow"; done

step "bash -n: shell scripts"
for script in infra/deploy/roll.sh .ci/run scripts/check-infra.sh; do bash -n "$script" || fail "$script"; done

step "YAML, JSON and Logstash pipeline syntax (Filebeat, Logstash, exporters, Grafana provisioning, Kibana objects)"
python3 scripts/infra/check_syntax.py \
  --yaml infra/elk/filebeat.yml infra/elk/logstash/logstash.yml infra/nginxlog-exporter/config.yml \
         infra/postgres-exporter/queries.yml infra/grafana/provisioning/*/*.yml \
  --json infra/grafana/dashboards/*.json \
  --ndjson infra/elk/kibana/saved-objects.ndjson \
  --logstash infra/elk/logstash/pipeline/*.conf \
  || fail "config syntax"

if [ "$failed" -ne 0 ]; then
  echo "check:infra: some checks failed (above)" >&2
  exit 1
fi
echo "check:infra: all infrastructure configs pass"
