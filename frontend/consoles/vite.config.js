// Content-hashed files in dist/assets/ and a manifest that the service reads to link them.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/static/consoles/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    rollupOptions: {
      input: {
        pages: "src/pages.css",
      },
    },
  },
});
