/**
 * `deno task walk`: renders latent walks of a trained generator: large PNG
 * frames streamed into an MP4, keyframe stills, a contact sheet.
 *
 * @module
 */
import { onInterrupt, parseOrExit, runMain } from "../lib/base/cli.ts";
import { findFfmpeg } from "../lib/media/ffmpeg.ts";
import { randomArgs, resolveSource, startCommandEngine } from "../lib/render/random_source.ts";
import { Progress } from "../lib/base/progress.ts";
import { renderWalk } from "../lib/latent/walk.ts";
import { resolveShard } from "../lib/base/shard.ts";
import { planWalks } from "../lib/latent/walk_batch.ts";
import { WALK_DEFAULTS, WALK_FLAGS, type WalkOptions } from "../lib/latent/walk_config.ts";

const USAGE = "Usage: deno task walk [options]\n\n" +
  "Renders latent walks: PNG frames + an MP4, keyframe stills and a contact sheet,\n" +
  "in output/walks/ID/. Running the same command again resumes or skips.\n" +
  "On a cluster: N processes with --shard K/N share the frames; then one run\n" +
  "without --shard (or deno task merge) encodes the MP4.";

await runMain(async () => {
  const user = parseOrExit<WalkOptions>(Deno.args, WALK_FLAGS, USAGE, WALK_DEFAULTS);
  const options: WalkOptions = { ...WALK_DEFAULTS, ...user };
  const shard = resolveShard(options.shard);
  if (shard && options.force) throw new Error("--force cannot be combined with --shard");
  const source = await resolveSource(options, options.seed);
  const sourceArgs = [
    ...(options.run ? ["--run", options.run] : []),
    ...(options.model ? ["--model", options.model] : []),
    ...randomArgs(source),
  ];
  const walks = await planWalks(options, sourceArgs);
  const ffmpeg = await findFfmpeg(options.ffmpeg);
  const { engine: pool } = await startCommandEngine(source, options);
  console.error(
    `Model: ${source.kind} ${source.name}${
      source.step !== null ? ` (step ${source.step})` : ""
    }, ` +
      `width ${source.spec.width}` +
      (ffmpeg ? `; ffmpeg: ${ffmpeg.source}` : ""),
  );
  const stop = onInterrupt(() => {
    pool.close();
    console.error("\nStopped. Run the same command again to resume where it stopped.");
    Deno.exit(130);
  });
  try {
    for (const [i, walk] of walks.entries()) {
      let progress: Progress | null = null;
      const label = walks.length > 1 ? `walk ${i + 1}/${walks.length}` : "walk";
      const result = await renderWalk({
        pool,
        source,
        ffmpeg,
        out: options.out,
        force: options.force,
        command: walk.command,
        shard,
        merge: options.merge,
        onFrame: (done, total) => {
          progress ??= new Progress({ max: total, start: done, unit: "frames" });
          progress.update(done, label);
        },
        onMessage: (text) => console.error(text),
      }, walk.settings);
      await (progress as Progress | null)?.stop();
      const r = result.record;
      if (result.status === "shard") {
        console.log(`${label}: shard ${shard!.index}/${shard!.count} done in ${result.dir}`);
        continue;
      }
      if (result.status === "skipped") {
        console.log(`${label}: ${result.dir} is already complete (--force to redo)`);
        continue;
      }
      const t = r.timings!;
      console.log(
        `${label}: ${r.frames.count} frames ${r.settings.width}x${r.settings.height}` +
          `${
            [r.video, ...Object.values(r.loops ?? {})].filter(Boolean).map((v) => ` + ${v}`).join(
              "",
            )
          }` +
          `, ${r.keyframes.length} stills, in ${result.dir} ` +
          `(${t.total_s.toFixed(1)} s${
            result.status === "resumed" ? `, resumed: ${t.frames_reused} frames reused` : ""
          })`,
      );
    }
  } finally {
    stop();
    pool.close();
  }
});
