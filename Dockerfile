# syntax=docker/dockerfile:1
# Bulk REST service: one image for both roles.
#   API:    docker run … bulk-rest-service                 (CMD below; RUN_WORKERS=false for API-only)
#   worker: docker run … bulk-rest-service node dist/apps/worker/src/main.js
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: all dependencies, compile, then drop the dev dependencies -----------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# `nest build api` compiles every app and lib (the worker's entry point included) into dist/.
RUN npm run build \
 && test -f dist/apps/api/src/main.js \
 && test -f dist/apps/worker/src/main.js \
 && npm prune --omit=dev

# --- runtime: compiled code and production dependencies, as the unprivileged `node` user -----------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
# A larger young generation: a 10,000-item JSON job is ~10 MB of short-lived objects, and with V8's
# default young generation those are copied into the old one before they die (bench/bulk: accept
# median ~45 → ~35 ms). `npm start` passes the same flag.
ENV NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
# The API answers /health/live; a worker (no HTTP) proves its event loop runs by touching
# WORKER_HEARTBEAT_FILE, which is checked instead when set.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const f=process.env.WORKER_HEARTBEAT_FILE;if(f){process.exit(Date.now()-require('fs').statSync(f).mtimeMs<30000?0:1)}fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains (in-flight requests and the current chunk finish): give it 30 s before SIGKILL.
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/api/src/main.js"]
