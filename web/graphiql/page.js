// The GraphiQL page at /graphql (api/graphiql.py serves it with React, GraphiQL and the explorer plugin from
// this folder's node_modules). Strawberry's own page script (strawberry/static/graphiql.html), less what this
// API does not use: the Django CSRF cookie (js-cookie), subscriptions over WebSocket, and headers read from
// the URL (an API key never belongs in a link). The headers editor is on and kept in this browser's storage.
"use strict";

const EXAMPLE_QUERY = `# Welcome to GraphiQL: Safety Net Graph's GraphQL API
#
# Type queries into this side of the screen, and you will see intelligent
# typeaheads aware of the current GraphQL type schema and live syntax and
# validation errors highlighted within the text. The explorer (left) builds
# queries by ticking fields; the docs list every field and argument.
#
# Staff and planners: open "Headers" below and enter your API key as
#
#     { "Authorization": "Bearer <your key>" }
#
# Keyboard shortcuts:
#
#       Run Query:  Ctrl-Enter (or press the play button above)
#
#   Auto Complete:  Ctrl-Space (or just start typing)
#
`;

// URL parameters share a query: ?q=…&variables=…
const parameters = {};

for (const entry of window.location.search.slice(1).split("&")) {
  const eq = entry.indexOf("=");
  if (eq >= 0) {
    parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
  }
}

function updateURL(data) {
  Object.assign(parameters, data);
  const newSearch =
    "?" +
    Object.keys(parameters)
      .filter((key) => Boolean(parameters[key]))
      .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
      .join("&");
  history.replaceState(null, null, newSearch);
}

const fetcher = GraphiQL.createFetcher({ url: window.location.href.split("?")[0] });

function GraphiQLWithExplorer() {
  const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
  const [variables, setVariables] = React.useState(parameters.variables);
  const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

  function onEditQuery(newQuery) {
    setQuery(newQuery);
    updateURL({ q: newQuery });
  }

  function onEditVariables(newVariables) {
    setVariables(newVariables);
    updateURL({ variables: newVariables });
  }

  return React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    plugins: [explorerPlugin],
    query: query,
    variables: variables,
    onEditQuery: onEditQuery,
    onEditVariables: onEditVariables,
    inputValueDeprecation: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQLWithExplorer));
