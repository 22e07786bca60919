/**
 * Finding ffmpeg and streaming frames into an H.264 MP4.
 *
 * ffmpeg is looked for as `--ffmpeg PATH`, then `FFMPEG_PATH`, then the
 * binary inside `npm:@ffmpeg-installer/ffmpeg` (it ships in the package;
 * `ffmpeg-static` instead downloads its binary in an install script that
 * Deno does not run), then `ffmpeg` on the PATH.
 *
 * @module
 */

/** A working ffmpeg and where it came from. */
export interface FfmpegFound {
  /** The executable. */
  path: string;
  /** `--ffmpeg`, `FFMPEG_PATH`, `npm`, or `PATH`. */
  source: string;
}

/** What to tell a user who has no ffmpeg. */
export const NO_FFMPEG_HINT =
  "no working ffmpeg was found (tried --ffmpeg, FFMPEG_PATH, npm:@ffmpeg-installer/ffmpeg and PATH). " +
  "The PNG frames are written; to get an MP4, install ffmpeg (e.g. apt install ffmpeg) or pass --ffmpeg PATH.";

async function works(path: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(path, {
      args: ["-hide_banner", "-version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

async function npmFfmpeg(): Promise<string | null> {
  try {
    const mod = await import("@ffmpeg-installer/ffmpeg");
    const path = (mod.default ?? mod).path as string | undefined;
    return path ?? null;
  } catch {
    return null;
  }
}

/** Finds a working ffmpeg, or returns `null`. */
export async function findFfmpeg(explicit?: string): Promise<FfmpegFound | null> {
  if (explicit) {
    if (await works(explicit)) return { path: explicit, source: "--ffmpeg" };
    throw new Error(`--ffmpeg "${explicit}" does not run (ffmpeg -version failed)`);
  }
  const env = Deno.env.get("FFMPEG_PATH");
  if (env && await works(env)) return { path: env, source: "FFMPEG_PATH" };
  const npm = await npmFfmpeg();
  if (npm && await works(npm)) return { path: npm, source: "npm" };
  if (await works("ffmpeg")) return { path: "ffmpeg", source: "PATH" };
  return null;
}

/** Settings of an MP4 encode. */
export interface VideoSettings {
  /** Frame width and height in pixels. */
  width: number;
  height: number;
  /** Frames per second. */
  fps: number;
  /** x264 constant rate factor (lower is better; default 18). */
  crf?: number;
  /** Bytes per pixel of the frames: 1 (grey, the default) or 3 (RGB). */
  channels?: number;
}

/**
 * An ffmpeg process encoding 8-bit grey (or RGB) frames from its stdin into an
 * H.264 (yuv420p, faststart) MP4, written to a temporary name and renamed
 * when complete.
 */
export class Mp4Encoder {
  #process: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #stderr: Promise<string>;
  #temp: string;
  #path: string;
  readonly frameBytes: number;

  private constructor(process: Deno.ChildProcess, path: string, temp: string, frameBytes: number) {
    this.#process = process;
    this.#path = path;
    this.#temp = temp;
    this.frameBytes = frameBytes;
    this.#stdin = process.stdin.getWriter();
    this.#stderr = new Response(process.stderr).text();
  }

  /** Starts ffmpeg writing to `path`. */
  static start(ffmpeg: string, path: string, v: VideoSettings): Mp4Encoder {
    const temp = path.replace(/\.mp4$/, "") + `.tmp-${Deno.pid}.mp4`;
    const colour = (v.channels ?? 1) === 3;
    const process = new Deno.Command(ffmpeg, {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        colour ? "rgb24" : "gray",
        "-s",
        `${v.width}x${v.height}`,
        "-framerate",
        String(v.fps),
        "-i",
        "-",
        // yuv420p needs even sides: pad odd ones by a pixel
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2" + (colour ? ",scale=out_color_matrix=bt709" : ""),
        // colour: BT.709, tagged, as players assume for video
        ...(colour
          ? ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]
          : []),
        "-c:v",
        "libx264",
        "-preset",
        "medium",
        "-crf",
        String(v.crf ?? 18),
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        temp,
      ],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    return new Mp4Encoder(process, path, temp, v.width * v.height * (v.channels ?? 1));
  }

  /** Sends one frame (`width * height * channels` bytes). */
  async writeFrame(pixels: Uint8Array): Promise<void> {
    if (pixels.length !== this.frameBytes) {
      throw new Error(`A frame must have ${this.frameBytes} bytes, got ${pixels.length}`);
    }
    await this.#stdin.write(pixels);
  }

  /** Finishes the video; throws with ffmpeg's message if it failed. */
  async close(): Promise<void> {
    await this.#stdin.close();
    const status = await this.#process.status;
    const stderr = await this.#stderr;
    if (!status.success) {
      await Deno.remove(this.#temp).catch(() => {});
      throw new Error(`ffmpeg failed (exit ${status.code}): ${stderr.trim().split("\n").pop()}`);
    }
    await Deno.rename(this.#temp, this.#path);
  }

  /** Stops ffmpeg and removes the partial file. */
  async abort(): Promise<void> {
    try {
      this.#process.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.#stdin.abort().catch(() => {});
    await this.#process.status.catch(() => {});
    await this.#stderr.catch(() => "");
    await Deno.remove(this.#temp).catch(() => {});
  }
}
