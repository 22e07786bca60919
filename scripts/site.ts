/**
 * `deno task site`: builds the gallery (an Astro site with deep-zoom tiles)
 * into `output/site/`; `--serve` (or `deno task preview`) serves it.
 *
 * @module
 */
import { relative } from "@std/path";
import { onInterrupt, parseOrExit, runMain } from "../lib/base/cli.ts";
import { OUT_FLAG } from "../lib/base/common_flags.ts";
import type { FlagSpec } from "../lib/base/flags.ts";
import {
  buildSite,
  normalizeBase,
  readBuildInfo,
  shardSiteTiles,
  sitePaths,
} from "../lib/site/build.ts";
import { MERGE_FLAG, resolveShard, type Shard, SHARD_FLAG } from "../lib/base/shard.ts";
import { serveStatic } from "../lib/site/static_server.ts";
import { exists } from "../lib/base/atomic_write.ts";

interface SiteFlags {
  out: string;
  base: string;
  site: string;
  serve: boolean;
  build: boolean;
  port: number;
  shard?: string;
  merge: boolean;
}

const DEFAULTS: SiteFlags = {
  out: "output",
  base: "",
  site: "",
  serve: false,
  build: true,
  port: 4321,
  merge: false,
};

const FLAGS: readonly FlagSpec[] = [
  { ...OUT_FLAG, help: "Output folder to scan; the site goes to DIR/site" },
  {
    name: "base",
    key: "base",
    type: { kind: "string", pattern: /^\//, hint: "an absolute path such as /gallery/" },
    arg: "PATH",
    help: "Serve from this absolute path instead of using relative URLs",
    defaultText: "relative URLs, works under any path",
  },
  {
    name: "site",
    key: "site",
    type: { kind: "string", pattern: /^https?:\/\/[^\s]+$/, hint: "an http(s) URL" },
    arg: "URL",
    help: "Public URL of the deployed site, for absolute Open Graph links",
  },
  {
    name: "serve",
    key: "serve",
    type: { kind: "boolean" },
    help: "Serve the site locally after building",
  },
  {
    name: "build",
    key: "build",
    type: { kind: "boolean" },
    help: "Do not build: only serve the last build (with --serve)",
  },
  {
    name: "port",
    key: "port",
    type: { kind: "int", min: 0, max: 65535 },
    arg: "N",
    help: "Port for --serve (0: any free port)",
  },
  {
    ...SHARD_FLAG,
    help: SHARD_FLAG.help + ": only its stills' tiles; then build once without it",
  },
  { ...MERGE_FLAG, help: "Build with the tiles of --shard runs; refuse if a still has none" },
];

const USAGE = "Usage: deno task site [options]\n       deno task preview [--port N]\n\n" +
  "Builds the gallery of walks, stills and trained models in output/ into output/site/:\n" +
  "static files for any host (GitHub Pages, Netlify, Cloudflare Pages, S3), with\n" +
  "Deep Zoom tiles for every still. --serve serves it on 127.0.0.1.\n" +
  "On a cluster: N processes with --shard K/N cut the tiles of their share of the\n" +
  "stills into output/site-cache/tiles/; then one build without --shard finishes.";

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(0)} kB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `--shard K/N`: this shard's tiles only. */
async function tileShard(flags: SiteFlags, shard: Shard): Promise<number> {
  if (flags.serve || flags.merge) {
    throw new Error("--shard cannot be combined with --serve or --merge");
  }
  const r = await shardSiteTiles(flags.out, shard, (line) => console.error(line));
  console.log(
    `Shard ${shard.index}/${shard.count}: tiles of ${r.owned} of ${r.stills} stills in ${r.dir} ` +
      `(${r.made} tiled now, ${r.owned - r.made} were there); then build once without --shard`,
  );
  return 0;
}

await runMain(async () => {
  const flags = { ...DEFAULTS, ...parseOrExit<SiteFlags>(Deno.args, FLAGS, USAGE, DEFAULTS) };
  const shard = resolveShard(flags.shard);
  if (shard) return await tileShard(flags, shard);
  const base = flags.base ? normalizeBase(flags.base) : null;
  if (flags.build) {
    const result = await buildSite({
      out: flags.out,
      base,
      site: flags.site ? (flags.site.endsWith("/") ? flags.site : `${flags.site}/`) : null,
      log: (line) => console.error(line),
      merge: flags.merge,
    });
    const where = relative(Deno.cwd(), result.dir) || result.dir;
    console.log(
      `Built ${where}: ${result.pages} pages, ${result.files} files, ${
        formatBytes(result.bytes)
      } ` +
        `in ${result.seconds.toFixed(1)} s${
          result.warnings.length ? ` (${result.warnings.length} warnings above)` : ""
        }. Upload the folder as is${base ? ` to ${base}` : " (relative URLs: any path works)"}.`,
    );
  }
  if (!flags.serve) return 0;
  const dir = sitePaths(flags.out).site;
  if (!(await exists(dir))) {
    throw new Error(`${dir} does not exist: build it first with deno task site`);
  }
  const prefix = base ?? (await readBuildInfo(flags.out))?.base ?? "/";
  const server = serveStatic({ root: dir, port: flags.port, prefix });
  console.log(`Serving ${dir} at ${server.url} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const remove = onInterrupt(() => {
      remove();
      resolve();
    });
  });
  await server.close();
  return 0;
});
