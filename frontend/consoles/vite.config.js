// The service's own pages load these bundles by name from dist/.vite/manifest.json
// (graphsvc/web/assets.py); every file in dist/assets/ has a content hash in its name.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/static/consoles/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    chunkSizeWarningLimit: 4096, // GraphiQL is one large console, loaded only at /graphql
    rollupOptions: {
      // GraphiQL's dependencies mark modules "use client" (a React server-components hint that
      // means nothing to a browser bundle): not worth a hundred lines of every build's output
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
      input: {
        graphiql: "src/graphiql.js",
        sparql: "src/sparql.js",
        pages: "src/pages.css",
      },
    },
  },
});
