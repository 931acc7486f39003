# syntax=docker/dockerfile:1
# cnsdn controller image. Build: docker build -t cnsdn:0.1.0 .
# Stages: build (TypeScript and the WebUI → dist, with dev dependencies), deps (production dependencies with
# their native addons compiled), runtime (node:20-slim: no compiler, no dev dependencies, non-root).

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/build-webui.mjs scripts/
COPY src src
COPY webui webui
RUN node scripts/build.mjs

FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# Native addons only (better-sqlite3 for the embedded store, ssh2's optional crypto binding).
RUN npm rebuild better-sqlite3 ssh2

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    CNSDN_USE_DIST=1
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
RUN mkdir -p /var/lib/cnsdn && chown 10001:10001 /var/lib/cnsdn
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=8", "bin/cnsdn.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--data", "/var/lib/cnsdn"]
