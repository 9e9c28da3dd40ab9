# tokenwatch: `tokenwatch serve` (Kafka in, Elasticsearch out). TypeScript runs through tsx, so
# there is no build step; dev dependencies (tests, biome, testcontainers) are left out.
FROM node:24-slim

ENV NODE_ENV=production \
    TOKENWATCH_HTTP_HOST=0.0.0.0 \
    TOKENWATCH_STATE_DIR=/var/lib/tokenwatch

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
RUN mkdir -p /var/lib/tokenwatch && chown -R node:node /var/lib/tokenwatch

USER node
EXPOSE 8080
VOLUME ["/var/lib/tokenwatch"]

# Liveness; readiness (Kafka + Elasticsearch reachable, consumer running) is GET /readyz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "bin/tokenwatch.js"]
CMD ["serve"]
