#!/usr/bin/env bash
# The production topology on loopback, and a smoke test through it (called by .ci/run):
#
#   nginx (deploy/nginx/meritflow.conf) → 2 uvicorn workers → PostgreSQL + Redis + an S3 object store (moto),
#   with the outbox worker (manage.py db_worker) delivering e-mail; then a second nginx → a worker keeping files
#   on the local disk, which nginx sends through X-Accel-Redirect.
#
# Needs DATABASE_URL (a PostgreSQL database it may drop and create) and REDIS_URL; starts everything else on
# free loopback ports and stops it on exit. Run from anywhere: DATABASE_URL=... REDIS_URL=... deploy/smoke.sh
set -euo pipefail

cd "$(dirname "$0")/.."
root="$(pwd)"
PY="$root/.venv/bin/python"
: "${DATABASE_URL:?deploy/smoke.sh needs DATABASE_URL=postgres://user:password@host:port/name}"
: "${REDIS_URL:?deploy/smoke.sh needs REDIS_URL=redis://host:port/db}"
command -v nginx >/dev/null || { echo "deploy/smoke.sh needs nginx (apt-get install nginx)" >&2; exit 2; }

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_port() {
    local port="$1" name="$2" pid="$3"
    for _ in $(seq 150); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        kill -0 "$pid" 2>/dev/null || { echo "$name exited" >&2; return 1; }
        sleep 0.2
    done
    echo "$name did not listen on $port" >&2
    return 1
}

scratch="$(mktemp -d)"
chmod 755 "$scratch"
pids=()
status=1
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ]; then
        for log in "$scratch"/*.log; do
            echo "---- $(basename "$log") (last lines)"
            tail -n 40 "$log" || true
        done
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

nginx_port="$(free_port)"
worker1_port="$(free_port)"
worker2_port="$(free_port)"
moto_port="$(free_port)"
mkdir -p "$scratch/mail" "$scratch/static" "$scratch/media"

export DJANGO_SETTINGS_MODULE=config.settings
export MERITFLOW_MODE=production
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export SITE_URL=https://127.0.0.1
export EMAIL_URL="filemail:///$scratch/mail"
export STATIC_ROOT="$scratch/static"
export MEDIA_ROOT="$scratch/media"
export MEDIA_STORAGE_URL="s3+http://smoke:smoke-secret@127.0.0.1:$moto_port/meritflow-smoke/media"
export TASKS_BACKEND=database
export LOG_FORMAT=json
export PYTHONUNBUFFERED=1

echo "smoke: database, static files, demo data"
"$PY" deploy/smoke.py create-db
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" deploy/smoke.py seed "$scratch/seed.json"

echo "smoke: object store (moto) on 127.0.0.1:$moto_port"
"$root/.venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$scratch/moto.log" 2>&1 &
pids+=($!)
wait_port "$moto_port" moto "${pids[-1]}"
"$PY" deploy/smoke.py bucket

for port in "$worker1_port" "$worker2_port"; do
    echo "smoke: ASGI worker (uvicorn) on 127.0.0.1:$port"
    "$root/.venv/bin/uvicorn" config.asgi:application --host 127.0.0.1 --port "$port" --proxy-headers \
        --forwarded-allow-ips 127.0.0.1 --no-access-log >"$scratch/worker-$port.log" 2>&1 &
    pids+=($!)
    wait_port "$port" "worker $port" "${pids[-1]}"
done

echo "smoke: outbox worker (manage.py db_worker)"
"$PY" manage.py db_worker --no-reload --no-startup-delay --interval 0.5 >"$scratch/outbox.log" 2>&1 &
pids+=($!)

# The site file as shipped, pointed at this run's ports and directories: start_nginx NAME PORT WORKER1 WORKER2.
# TLS is terminated "in front": nginx here says X-Forwarded-Proto https, as it would behind a TLS listener.
start_nginx() {
    local name="$1" port="$2" first="$3" second="$4" dir="$scratch/$1"
    mkdir -p "$dir/logs"
    sed -e "s#server 127.0.0.1:8001 #server 127.0.0.1:$first #" \
        -e "s#server 127.0.0.1:8002 #server 127.0.0.1:$second #" \
        -e "s#listen 80;#listen 127.0.0.1:$port;#" \
        -e "/listen \[::\]:80;/d" \
        -e "s#server_name .*;#server_name 127.0.0.1;#" \
        -e "s#/srv/meritflow/static/#$scratch/static/#" \
        -e "s#/srv/meritflow/media/#$scratch/media/#" \
        -e "s#/var/log/nginx/#$dir/logs/#" \
        -e 's#X-Forwarded-Proto $scheme;#X-Forwarded-Proto https;#' \
        deploy/nginx/meritflow.conf >"$dir/meritflow.conf"
    cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
user $(id -un) $(id -gn);
pid $dir/nginx.pid;
error_log $scratch/$name.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/meritflow.conf;
}
CONF
    nginx -t -q -p "$dir" -c "$dir/nginx.conf"
    echo "smoke: $name on 127.0.0.1:$port"
    nginx -p "$dir" -c "$dir/nginx.conf" >>"$scratch/$name.log" 2>&1 &
    pids+=($!)
    wait_port "$port" "$name" "${pids[-1]}"
}

start_nginx nginx "$nginx_port" "$worker1_port" "$worker2_port"

"$PY" deploy/smoke.py check "$scratch/seed.json" "http://127.0.0.1:$nginx_port" \
    "http://127.0.0.1:$worker1_port" "http://127.0.0.1:$worker2_port" "$scratch/mail" "$scratch/static"

# Files on the local disk (no object store), sent by nginx after the worker checked the scope.
disk_worker_port="$(free_port)"
disk_nginx_port="$(free_port)"
echo "smoke: ASGI worker with local-disk media (X-Accel-Redirect) on 127.0.0.1:$disk_worker_port"
env -u MEDIA_STORAGE_URL MEDIA_ACCEL_REDIRECT=/protected-media/ \
    "$root/.venv/bin/uvicorn" config.asgi:application --host 127.0.0.1 --port "$disk_worker_port" --proxy-headers \
    --forwarded-allow-ips 127.0.0.1 --no-access-log >"$scratch/worker-$disk_worker_port.log" 2>&1 &
pids+=($!)
wait_port "$disk_worker_port" "worker $disk_worker_port" "${pids[-1]}"
start_nginx nginx-disk "$disk_nginx_port" "$disk_worker_port" "$disk_worker_port"
"$PY" deploy/smoke.py check-disk "$scratch/seed.json" "http://127.0.0.1:$disk_nginx_port" \
    "http://127.0.0.1:$disk_worker_port" "$scratch/media"
status=0
