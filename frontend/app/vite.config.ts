import { readFileSync } from "node:fs";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

// The operations' texts by hash, beside index.html: the service trusts them at startup, so the
// app's first request to a fresh service is answered from the hash alone.
function persistedDocuments(): Plugin {
  return {
    name: "persisted-documents",
    apply: "build",
    generateBundle() {
      this.emitFile({
        type: "asset",
        fileName: "persisted-documents.json",
        source: readFileSync("src/gql/persisted-documents.json", "utf8"),
      });
    },
  };
}

// Built into dist/ with content-hashed names under assets/ (the service caches them for a year);
// index.html refers to them and is served without caching. No inline script: the page's
// Content-Security-Policy allows scripts from the service's own origin only.
export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } }), persistedDocuments()],
  base: "/",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: { proxy: { "/graphql": "http://127.0.0.1:8000" } },
});
