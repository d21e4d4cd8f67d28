#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and RabbitMQ answer on their local ports, starting any that is down with
# the commands for this kind of machine (Debian packages, root). Prints what it did; exits 1 if one stays down.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # name port seconds
  for _ in $(seq 1 "$3"); do port_open "$2" && return 0; sleep 1; done
  echo "ensure-services: $1 did not come up on 127.0.0.1:$2" >&2
  return 1
}

status=0
if ! port_open 5432; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  wait_port PostgreSQL 5432 30 || status=1
fi
if ! port_open 6379; then
  echo "ensure-services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_port Redis 6379 15 || status=1
fi
if ! port_open 5672; then
  echo "ensure-services: starting RabbitMQ"
  rabbitmq-server -detached || true
  timeout 120 rabbitmqctl await_startup >/dev/null 2>&1 || true
  wait_port RabbitMQ 5672 60 || status=1
fi
[ $status -eq 0 ] && echo "ensure-services: PostgreSQL, Redis and RabbitMQ are up"
exit $status
