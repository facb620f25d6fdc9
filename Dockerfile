# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run as a non-root user with production ones only.
# test/e2e/image-layout.test.ts assembles this image's file layout from the COPY lines below and
# starts the bot from it, so everything the bot reads at run time must be copied here.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# dist/src only (no tests); then drop dev tools and optional packages: the embedded PostgreSQL (60 MB)
# is for machines without a database, and the image is given DATABASE_URL.
RUN npm run build && npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node policy ./policy
COPY --chown=node:node templates ./templates
COPY --chown=node:node config ./config
USER node
EXPOSE 3000
# No curl in the slim image: Node asks /healthz itself (200 when the database, the queue and Lark answer).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The bot applies pending migrations (prisma/migrations) before it serves. It needs DATABASE_URL
# and REDIS_URL (see docker-compose.yml); SIGTERM (docker stop) stops it cleanly within 25 s.
CMD ["node", "dist/src/main.js"]
