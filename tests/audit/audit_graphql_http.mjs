// Audits a GraphQL endpoint against the GraphQL-over-HTTP spec with graphql-http's auditServer.
// Usage: node tests/audit/audit_graphql_http.mjs http://127.0.0.1:PORT/graphql
// Prints one JSON array on stdout: [{id, name, status, reason?, responseStatus?, responseBody?}],
// status "ok" | "notice" | "warn" | "error" ("error" = a MUST the server breaks).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit_graphql_http.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
const report = [];
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    if (result.response) {
      entry.responseStatus = result.response.status;
      try {
        entry.responseBody = (await result.response.text()).slice(0, 500);
      } catch {
        entry.responseBody = '<body already read>';
      }
    }
  }
  report.push(entry);
}
process.stdout.write(JSON.stringify(report) + '\n');
