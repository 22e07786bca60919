/**
 * `deno task render`: one image of a trained generator at any size.
 *
 * @module
 */
import { parseOrExit, runMain } from "../lib/base/cli.ts";
import { resolveSource, startCommandEngine } from "../lib/render/random_source.ts";
import { describeEngine } from "../lib/render/engine.ts";
import { RENDER_DEFAULTS, RENDER_FLAGS, type RenderOptions } from "../lib/latent/still.ts";
import { renderStill } from "../lib/latent/still_shard.ts";
import { resolveShard } from "../lib/base/shard.ts";
import { Progress } from "../lib/base/progress.ts";

const USAGE =
  "Usage: deno task render (--digit D | --seed N | --z FILE.json | --image FILE) [options]\n" +
  "       deno task render --random [--seed N] [network options]   (also: deno task art)\n\n" +
  "Renders one image (any size; 16384x16384 streams to disk in bounded memory)\n" +
  "into output/renders/NAME.png with a NAME.json sidecar to reproduce it.\n" +
  "On a cluster: N processes with --shard K/N render their share of its bands into\n" +
  "output/renders/NAME.bands/; then one run without --shard merges the PNG.";

const bands = (n: number) => `${n} band${n === 1 ? "" : "s"}`;

await runMain(async () => {
  const user = parseOrExit<RenderOptions>(Deno.args, RENDER_FLAGS, USAGE, RENDER_DEFAULTS);
  const options: RenderOptions = { ...RENDER_DEFAULTS, ...user };
  const shard = resolveShard(options.shard);
  if (shard && options.force) throw new Error("--force cannot be combined with --shard");
  if (shard && options.merge) throw new Error("--merge cannot be combined with --shard");
  const source = await resolveSource(options, options.seed ?? 1);
  const { engine, workers } = await startCommandEngine(source, options);
  try {
    const command = ["deno task render", ...Deno.args].join(" ");
    let progress: Progress | null = null;
    const result = await renderStill({
      engine,
      source,
      command,
      shard,
      onBand: (done, total) => {
        progress ??= new Progress({ max: total, start: done - 1, unit: "bands" });
        progress.update(done, `shard ${shard!.index}/${shard!.count}`);
      },
    }, options);
    await (progress as Progress | null)?.stop();
    const r = result.record;
    if (result.status === "shard") {
      const { count, rendered } = result.bands!;
      console.log(
        `Shard ${shard!.index}/${shard!.count}: ${bands(count)} in ${result.path} ` +
          `(${rendered} rendered now, ${count - rendered} were on disk)`,
      );
    } else if (result.status === "skipped") {
      console.log(`${result.path} is already merged from its bands (--force to merge again)`);
    } else {
      console.log(
        `Wrote ${result.path} (${r!.width}x${r!.height}, ${r!.timings.render_s.toFixed(1)} s, ` +
          (result.status === "merged"
            ? `merged from ${bands(r!.sharded!.bands)}`
            : describeEngine(engine, workers)) +
          ") and its sidecar .json",
      );
    }
  } finally {
    engine.close();
  }
});
