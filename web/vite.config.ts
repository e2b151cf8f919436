// Builds the UI into the Python package (src/giamsat/web/static), served by the FastAPI app.
import { defineConfig } from "vite";
import { resolve } from "node:path";

export default defineConfig({
  base: "/",
  build: {
    outDir: resolve(__dirname, "../src/giamsat/web/static"),
    emptyOutDir: true,
    assetsDir: "assets",
    chunkSizeWarningLimit: 2500,
    sourcemap: false,
  },
  server: { proxy: { "/api": { target: "http://127.0.0.1:8080", ws: true } } },
});
