/**
 * Loops for sharing, encoded from a walk's PNG frames with ffmpeg: WebM
 * (VP9) and GIF (a palette made for the walk with palettegen, applied with
 * paletteuse, so smooth gradients do not band; loops forever). Each is
 * written to a temporary name and renamed when complete.
 *
 * @module
 */
import { tempPathFor } from "../base/atomic_write.ts";

/** The video formats a walk can be written as. */
export type VideoFormat = "mp4" | "webm" | "gif";

/** Every valid video format. */
export const VIDEO_FORMATS: readonly VideoFormat[] = ["mp4", "webm", "gif"];

/** GIFs larger than this many bytes get a warning. */
export const GIF_WARN_BYTES = 25 * 1024 * 1024;

/** How to encode a loop. */
export interface LoopSettings {
  /** ffmpeg's `-i` pattern of the frames, e.g. `frames/%06d.png`. */
  frames: string;
  /** Frames per second. */
  fps: number;
  /** GIF only: the longest side, frames larger than this are scaled down. */
  gifMaxSide: number;
}

/** The ffmpeg arguments that write `format` from the frames to `out`. */
export function loopArgs(format: "webm" | "gif", s: LoopSettings, out: string): string[] {
  const input = [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-framerate",
    String(s.fps),
    "-i",
    s.frames,
  ];
  if (format === "webm") {
    return [
      ...input,
      "-vf",
      "pad=ceil(iw/2)*2:ceil(ih/2)*2",
      ...["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "32", "-row-mt", "1"],
      ...["-deadline", "good", "-cpu-used", "4", "-pix_fmt", "yuv420p", "-f", "webm", out],
    ];
  }
  const m = s.gifMaxSide;
  const fit = `scale='if(gt(iw,ih),min(iw,${m}),-2)':'if(gt(iw,ih),-2,min(ih,${m}))':flags=lanczos`;
  return [
    ...input,
    "-filter_complex",
    `${fit},split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=sierra2_4a`,
    ...["-loop", "0", "-f", "gif", out],
  ];
}

/**
 * Encodes one loop into `path` (via a temporary file); returns its size
 * in bytes.
 *
 * @throws with ffmpeg's last message if it fails.
 */
export async function encodeLoop(
  ffmpeg: string,
  format: "webm" | "gif",
  s: LoopSettings,
  path: string,
): Promise<number> {
  const temp = tempPathFor(path);
  const { success, code, stderr } = await new Deno.Command(ffmpeg, {
    args: loopArgs(format, s, temp),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    await Deno.remove(temp).catch(() => {});
    const message = new TextDecoder().decode(stderr).trim().split("\n").pop();
    throw new Error(`ffmpeg failed writing the ${format.toUpperCase()} (exit ${code}): ${message}`);
  }
  await Deno.rename(temp, path);
  return (await Deno.stat(path)).size;
}
