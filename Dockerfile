# One image for the API and the workers (docker-compose.yml picks the command).
FROM node:20-bookworm
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY workers ./workers
COPY web ./web
COPY datasets ./datasets
RUN npm ci --no-audit --no-fund
ENV NODE_ENV=production DATA_DIR=/data
EXPOSE 3000
CMD ["npm", "start"]
