// Lint Cypher queries with Neo4j's own front end (@neo4j-cypher/language-support).
//
// stdin:  {"schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...]},
//          "queries": [{"name": "...", "text": "...", "params": ["..."]}],
//          "plugins": []}   (optional: plugin namespaces the server has, e.g. ["apoc"])
// stdout: [{"name": "...", "diagnostics": [{"severity", "message", "line", "character", "offset"}]}]
//         in input order. severity: 1 = Error, 2 = Warning (LSP). line and character are 1-based,
//         offset 0-based; all point into the query's own text (the "CYPHER 5 " prefix is removed).
//
// Each query is linted as `CYPHER 5 <text>` against a DbSchema made of the package's
// testData.mockSchema (a real Neo4j 5 function and procedure catalogue, so e.g. the removed
// `distance()` is an error) minus the plugins the server lacks (the mock carries APOC and GDS,
// which a stock Neo4j has not: `apoc.*`/`gds.*` are errors unless listed in "plugins"), plus the
// declared labels, relationship types, property keys and
// that query's own parameters. The semantic analysis is slow (~0.1 s a query), so a long list
// is split over worker threads (LINT_WORKERS overrides the count; 1 = no workers).

import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

// The package's ESM build does not resolve under plain Node; its CommonJS bundle does.
const require = createRequire(import.meta.url);
const { lintCypherQuery, parserWrapper, testData } = require('@neo4j-cypher/language-support');

const PREFIX = 'CYPHER 5 ';
const ERROR = 1;
const PLUGIN_NAMESPACES = ['apoc', 'gds'];
const QUERIES_PER_WORKER = 12; // below this, a worker's start-up (~2 s) costs more than it saves

// The mock's catalogue per Cypher version, without the namespaces of plugins the server lacks.
function catalogue(registry, plugins) {
  const absent = PLUGIN_NAMESPACES.filter((ns) => !plugins.includes(ns));
  const keep = (name) => !absent.some((ns) => name.startsWith(ns + '.'));
  return Object.fromEntries(
    Object.entries(registry).map(([version, entries]) => [
      version,
      Object.fromEntries(Object.entries(entries).filter(([name]) => keep(name))),
    ]),
  );
}

let cached;
function baseSchema(plugins) {
  const key = JSON.stringify(plugins);
  if (cached?.key !== key) {
    const { functions, procedures, ...rest } = testData.mockSchema;
    cached = { key, schema: { ...rest, functions: catalogue(functions, plugins), procedures: catalogue(procedures, plugins) } };
  }
  return cached.schema;
}

function lintOne(query, schema, plugins = []) {
  const parameters = Object.fromEntries((query.params ?? []).map((p) => [p, null]));
  const dbSchema = {
    ...baseSchema(plugins),
    labels: schema.labels ?? [],
    relationshipTypes: schema.relationshipTypes ?? [],
    propertyKeys: schema.propertyKeys ?? [],
    parameters,
  };
  const text = PREFIX + query.text;
  const diagnostics = [];
  try {
    for (const d of lintCypherQuery(text, dbSchema)) {
      const { line, character } = d.range.start;
      diagnostics.push({
        severity: d.severity,
        message: d.message,
        line: line + 1,
        character: Math.max(line === 0 ? character - PREFIX.length : character, 0) + 1,
        offset: Math.max(d.offsets.start - PREFIX.length, 0),
      });
    }
    // The version prefix only governs the first statement, and a driver runs exactly one.
    const statements = parserWrapper
      .parse(text)
      .statementsParsing.filter((s) => s.command.type !== 'cypher' || s.command.statement.trim() !== '');
    if (statements.length > 1) {
      diagnostics.push({
        severity: ERROR,
        message: `the query holds ${statements.length} statements; a catalogue query must be exactly one`,
        line: 1,
        character: 1,
        offset: 0,
      });
    }
  } catch (e) {
    diagnostics.push({ severity: ERROR, message: `linter crashed: ${e?.stack ?? e}`, line: 1, character: 1, offset: 0 });
  }
  return { name: query.name, diagnostics };
}

function runWorker(queries, schema, plugins) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { queries, schema, plugins } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`lint worker exited with ${code}`)));
  });
}

async function lintAll(queries, schema, plugins) {
  const requested = Number.parseInt(process.env.LINT_WORKERS ?? '', 10);
  const count = Math.max(
    1,
    Math.min(
      Number.isFinite(requested) && requested > 0 ? requested : availableParallelism(),
      Math.ceil(queries.length / QUERIES_PER_WORKER),
    ),
  );
  if (count === 1) return queries.map((q) => lintOne(q, schema, plugins));
  // Longest first onto the least-loaded worker: text length is a fair proxy for analysis time.
  const order = queries.map((q, i) => i).sort((a, b) => queries[b].text.length - queries[a].text.length);
  const buckets = Array.from({ length: count }, () => ({ load: 0, indexes: [] }));
  for (const i of order) {
    const bucket = buckets.reduce((min, b) => (b.load < min.load ? b : min));
    bucket.load += queries[i].text.length + 200;
    bucket.indexes.push(i);
  }
  const parts = await Promise.all(buckets.map((b) => runWorker(b.indexes.map((i) => queries[i]), schema, plugins)));
  const results = new Array(queries.length);
  buckets.forEach((b, k) => b.indexes.forEach((i, j) => (results[i] = parts[k][j])));
  return results;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

if (isMainThread) {
  const input = JSON.parse(await readStdin());
  const results = await lintAll(input.queries ?? [], input.schema ?? {}, input.plugins ?? []);
  process.stdout.write(JSON.stringify(results, null, 1) + '\n');
} else {
  parentPort.postMessage(workerData.queries.map((q) => lintOne(q, workerData.schema, workerData.plugins)));
}
