# syntax=docker/dockerfile:1
#
# Sổ tay Nghị quyết: the web service (`src/main.ts`) and the ingest CLI (`ingest/cli.ts`) in one
# image. There is no build step: tsx runs the TypeScript sources and esbuild bundles the chat page
# in memory when the service starts, so both are production dependencies.
#
#   docker build -t so-tay-nghi-quyet .
#   docker run -p 3000:3000 -v sotay-data:/data so-tay-nghi-quyet            # embedded PGlite in /data
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… so-tay-nghi-quyet   # PostgreSQL + pgvector
#   docker build --target check .                                            # type check in the image
#
# Schema migrations are applied by the program itself at start (openStore → migrate).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: every dependency, dev included (type checking, tests) --------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

# ---- check: `docker build --target check .` type-checks the sources with the dev dependencies ---
# (not part of the final image; BuildKit skips this stage unless it is the target)
FROM deps AS check
COPY tsconfig.json biome.json vitest.config.ts ./
COPY src ./src
COPY ingest ./ingest
COPY bench ./bench
COPY test ./test
COPY scripts ./scripts
RUN npm run typecheck

# ---- prod-deps: production dependencies only (tsx, esbuild via tsx, pg, PGlite, …) ---------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# ---- runtime ------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/data
WORKDIR /app

# node_modules from prod-deps only: the dev dependencies of the deps stage never reach this image.
# Application files stay owned by root and read-only for the `node` user that runs them.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY ingest ./ingest
COPY corpus ./corpus
COPY prompts ./prompts

# DATA_DIR: where the embedded PGlite store lives when DATABASE_URL is unset. The only writable
# path the program needs (tsx keeps its cache under /tmp). Unused with PostgreSQL.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

# The `node` user (uid 1000) of the official image: never run as root.
USER node

EXPOSE 3000

# No curl in slim images: Node's own fetch. /healthz says the process serves HTTP; /readyz also
# checks the store and the corpus. The start period covers a first start that ingests corpus/.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

# node itself is PID 1, not `npm start`: npm would start `sh -c "tsx src/main.ts"`, and tsx a
# second node process, and npm does not reliably forward SIGTERM down that chain, so `docker stop`
# would kill the service after its grace period instead of letting it finish the requests in
# flight and close the store (src/main.ts handles SIGTERM/SIGINT). `--import tsx` runs the
# TypeScript in this one process.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
