#!/usr/bin/env bash
# Rolls every EC2 host tagged app=fixup to one commit's images, one host at a time:
#   roll.sh <ecr registry> <image tag>      (AWS credentials and AWS_REGION from the environment)
# 1. copies this directory's compose file and the edge configs to /opt/fixup on the hosts (inside the SSM command),
# 2. runs the migrations once, on the first host, before any host starts the new version,
# 3. per host: ECR login, pull, `up --wait`, then the gateway's /readyz; the roll stops at the first host that
#    fails (the others keep the previous version) and the workflow fails with that host's output.
set -euo pipefail
registry="$1"
tag="$2"
region="${AWS_REGION:?AWS_REGION is not set}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

bundle_dir="$(mktemp -d)"
trap 'rm -rf "$bundle_dir"' EXIT
mkdir -p "$bundle_dir/nginx" "$bundle_dir/nginxlog-exporter"
cp "$here/docker-compose.yml" "$bundle_dir/"
cp "$repo/infra/nginx/fixup.conf" "$repo/infra/nginx/fixup-proxy.conf" "$bundle_dir/nginx/"
cp "$repo/infra/nginxlog-exporter/config.yml" "$bundle_dir/nginxlog-exporter/"
bundle="$(tar -C "$bundle_dir" -czf - . | base64 -w0)"

prelude="set -euo pipefail
mkdir -p /opt/fixup && cd /opt/fixup
echo '$bundle' | base64 -d | tar -xzf -
aws ecr get-login-password --region '$region' | docker login --username AWS --password-stdin '$registry'
export ECR_REGISTRY='$registry' IMAGE_TAG='$tag'
docker compose --profile migrate pull --quiet"

# Sends a script to one host and waits for it to finish; non-zero (with the host's output) unless it succeeded.
run_on() {
  local instance="$1" comment="$2" script="$3" command_id status
  command_id="$(aws ssm send-command --instance-ids "$instance" --document-name AWS-RunShellScript \
    --comment "$comment" --timeout-seconds 900 \
    --parameters "$(jq -cn --arg s "$script" '{commands: [$s], executionTimeout: ["900"]}')" \
    --query Command.CommandId --output text)"
  echo "::group::$comment on $instance ($command_id)"
  for _ in $(seq 1 180); do
    sleep 5
    status="$(aws ssm get-command-invocation --command-id "$command_id" --instance-id "$instance" \
      --query Status --output text 2>/dev/null || echo Pending)"
    case "$status" in
      Pending|InProgress|Delayed) continue ;;
      *) break ;;
    esac
  done
  aws ssm get-command-invocation --command-id "$command_id" --instance-id "$instance" \
    --query '[StandardOutputContent, StandardErrorContent]' --output text || true
  echo "::endgroup::"
  if [ "$status" != Success ]; then
    echo "::error::$comment on $instance ended $status"
    return 1
  fi
}

read -r -a instances <<<"$(aws ec2 describe-instances \
  --filters Name=tag:app,Values=fixup Name=instance-state-name,Values=running \
  --query 'Reservations[].Instances[].InstanceId' --output text)"
if [ "${#instances[@]}" -eq 0 ]; then
  echo "::error::no running instance tagged app=fixup"
  exit 1
fi

run_on "${instances[0]}" "fixup migrations $tag" "$prelude
for service in users catalog orders chat; do docker compose --profile migrate run --rm \"migrate-\$service\"; done"

for instance in "${instances[@]}"; do
  run_on "$instance" "fixup roll $tag" "$prelude
docker compose pull --quiet
docker compose up -d --remove-orphans --wait --wait-timeout 300
for _ in \$(seq 1 24); do
  docker compose exec -T gateway node healthcheck.mjs /readyz && exit 0
  sleep 5
done
echo 'gateway /readyz did not answer 200 within 2 minutes' >&2
docker compose ps >&2
exit 1"
done
echo "rolled ${#instances[@]} host(s) to $tag"
