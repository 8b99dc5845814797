// GraphiQL at /graphql, bundled: no script, style or font from another origin.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { createElement, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { completeAccessibility } from "./graphiql-a11y.js";
import "./graphiql.css";

const root = document.getElementById("graphiql");
const fetcher = createGraphiQLFetcher({
  url: new URL(root.dataset.endpoint, window.location.href).href,
});

createRoot(root).render(
  createElement(
    StrictMode,
    null,
    createElement(GraphiQL, {
      fetcher,
      defaultQuery: root.dataset.defaultQuery,
      defaultEditorToolsVisibility: false,
      shouldPersistHeaders: false,
    }),
  ),
);

completeAccessibility(root);
