# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run as a non-root user with production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY templates ./templates
COPY config ./config
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node templates ./templates
COPY --chown=node:node config ./config
USER node
EXPOSE 3000
# The bot applies pending migrations (prisma/migrations) before it serves.
CMD ["node", "dist/src/main.js"]
