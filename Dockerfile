# The API image: the project installed from the wheel of this repository (the package list lives in
# one place, pyproject.toml; tests/e2e/test_installed_package.py installs the same wheel into a fresh
# virtual environment and serves from it), plus GraphiQL's and Swagger UI's npm-locked files, which the API serves itself.

# GraphiQL's files, installed as web/graphiql's lockfile pins them (no CDN)
FROM node:20-slim AS graphiql
WORKDIR /graphiql
COPY web/graphiql/package.json web/graphiql/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# Swagger UI's files for /docs, likewise (install scripts off: one of its dependencies reports installs)
FROM node:20-slim AS swagger-ui
WORKDIR /swagger-ui
COPY web/swagger-ui/package.json web/swagger-ui/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# The project's wheel, built from the repository (.dockerignore leaves out what is not source)
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --no-cache-dir . -w /wheels && cp constraints.txt /wheels/

FROM python:3.11-slim
WORKDIR /app
COPY --from=wheel /wheels /wheels
# the versions constraints.txt pins, as `make setup` installs them (README, "Reproducible installs")
RUN pip install --no-cache-dir -c /wheels/constraints.txt /wheels/*.whl && rm -rf /wheels
COPY web/graphiql/page.js web/graphiql/page.css web/graphiql/
COPY --from=graphiql /graphiql/node_modules web/graphiql/node_modules
COPY --from=swagger-ui /swagger-ui/node_modules web/swagger-ui/node_modules
ENV SAFETYNET_HOST=0.0.0.0 SAFETYNET_GRAPHIQL_DIR=/app/web/graphiql SAFETYNET_SWAGGER_UI_DIR=/app/web/swagger-ui
EXPOSE 8000
# On first start (no marker in the /state volume) generate and load the demo city, then serve.
CMD ["sh", "-c", "if [ ! -f /state/demo-loaded ]; then safetynet generate demo /state/demo && safetynet load hsds /state/demo --dataset-id demo --replace && touch /state/demo-loaded; fi; exec safetynet serve --host 0.0.0.0 --port 8000"]
