// The gallery's Astro configuration. `deno task site` (lib/site/build.ts) sets the
// environment: where the data is, where to build, and where Astro may cache.
// Every page is built under a placeholder base that lib/site/build.ts rewrites to
// relative URLs (or to `--base`), so the same build works under any path.
import { defineConfig } from "astro/config";
import process from "node:process";
import { fileURLToPath } from "node:url";

const cacheDir = process.env.CPPN_SITE_CACHE ?? "../output/site-cache/astro";

export default defineConfig({
  base: "/__cppn_base__/",
  outDir: process.env.CPPN_SITE_OUT ?? "../output/.site-next",
  cacheDir,
  publicDir: "./public",
  build: { format: "directory", assets: "assets", inlineStylesheets: "always" },
  devToolbar: { enabled: false },
  vite: {
    cacheDir: `${cacheDir}/vite`,
    logLevel: "warn",
    build: { chunkSizeWarningLimit: 1024 },
    // The browser needs only the core and the WebGL and CPU backends.
    resolve: {
      alias: {
        "@tensorflow/tfjs": fileURLToPath(new URL("./src/lib/tfjs_browser.ts", import.meta.url)),
      },
    },
  },
});
