#!/bin/sh
# The `secrets` service of docker-compose.yml, run before everything else on every `docker compose up`:
# each secret is the value given in the environment (or an .env file), else the one generated at an
# earlier start (kept in the `secrets` volume), else a new random one. So the stack starts without
# any setup, and no secret has a default that anyone else knows.
#   one file per secret (POSTGRES_PASSWORD_FILE and the pooler read theirs), and app.env with the
#   service's own, which the api and worker containers source before they start.
# POSIX sh and coreutils only (it runs in the postgres image); SECRETS_DIR for tests.
set -eu
dir=${SECRETS_DIR:-/run/bulk-secrets}
mkdir -p "$dir"
# Readable by the other containers' users (node, postgres), which mount the volume read-only.
chmod 0755 "$dir"
umask 077

# $1 random bytes as hex (URL-safe: the database password goes into DATABASE_URL).
hex() { head -c "$1" /dev/urandom | od -An -v -tx1 | tr -d ' \n'; }
new_POSTGRES_PASSWORD() { hex 24; }
new_API_KEYS() { printf 'demo:key_%s' "$(hex 24)"; }
new_CURSOR_SECRET() { hex 32; }
new_WEBHOOK_SECRET() { printf 'whsec_%s' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')"; }
new_ADMIN_API_KEY() { hex 24; }

generated=''
for name in POSTGRES_PASSWORD API_KEYS CURSOR_SECRET WEBHOOK_SECRET ADMIN_API_KEY; do
  file="$dir/$name"
  eval "given=\${$name:-}"
  if [ -n "$given" ]; then
    value=$given
    state='given in the environment'
  elif [ -s "$file" ]; then
    value=$(cat "$file")
    state='kept from an earlier start'
  else
    value=$("new_$name")
    state='generated'
    generated="$generated $name"
  fi
  # Written whole, then moved: a container reading it never sees half a secret.
  printf '%s\n' "$value" >"$file.tmp"
  chmod 0444 "$file.tmp"
  mv "$file.tmp" "$file"
  echo "compose-secrets: $name $state"
done

# The service's own secrets as shell assignments, each value in single quotes (a ' in it escaped).
{
  for name in API_KEYS CURSOR_SECRET WEBHOOK_SECRET ADMIN_API_KEY; do
    printf "%s='%s'\n" "$name" "$(sed "s/'/'\\\\''/g" "$dir/$name")"
  done
} >"$dir/app.env.tmp"
chmod 0444 "$dir/app.env.tmp"
mv "$dir/app.env.tmp" "$dir/app.env"

if [ -n "$generated" ]; then
  echo "compose-secrets: generated$generated; the tenant key (API_KEYS) and ADMIN_API_KEY:"
  echo "  docker compose exec api cat $dir/app.env"
fi
