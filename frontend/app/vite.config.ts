import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// Built into dist/ with content-hashed names under assets/ (the service caches them for a year);
// index.html refers to them and is served without caching. No inline script: the page's
// Content-Security-Policy allows scripts from the service's own origin only.
export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } })],
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
