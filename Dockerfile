# GraphiQL's files, installed as web/graphiql's lockfile pins them: the API serves them itself (no CDN)
FROM node:20-slim AS graphiql
WORKDIR /graphiql
COPY web/graphiql/package.json web/graphiql/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api api
COPY graph graph
COPY loaders loaders
COPY queries queries
COPY cli cli
COPY demo demo
RUN pip install --no-cache-dir .
COPY web/graphiql/page.js web/graphiql/page.css web/graphiql/
COPY --from=graphiql /graphiql/node_modules web/graphiql/node_modules
ENV SAFETYNET_HOST=0.0.0.0 SAFETYNET_GRAPHIQL_DIR=/app/web/graphiql
EXPOSE 8000
# On first start (no marker in the /state volume) generate and load the demo city, then serve.
CMD ["sh", "-c", "if [ ! -f /state/demo-loaded ]; then safetynet generate demo /state/demo && safetynet load hsds /state/demo --dataset-id demo --replace && touch /state/demo-loaded; fi; exec safetynet serve --host 0.0.0.0 --port 8000"]
