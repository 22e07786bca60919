import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { findFfmpeg, Mp4Encoder } from "../../lib/media/ffmpeg.ts";
import { tempDir } from "../_helpers.ts";

const found = await findFfmpeg();

Deno.test("findFfmpeg: an --ffmpeg that does not run is a clear error", async () => {
  await assertRejects(
    () => findFfmpeg("/no/such/ffmpeg"),
    Error,
    `--ffmpeg "/no/such/ffmpeg" does not run (ffmpeg -version failed)`,
  );
});

Deno.test({
  name: "Mp4Encoder: greyscale frames in, an MP4 of as many frames out; an abort leaves no file",
  ignore: found === null,
  async fn() {
    await using tmp = await tempDir();
    const ffmpeg = found!.path;
    assertEquals((await findFfmpeg(ffmpeg))?.source, "--ffmpeg");
    const path = join(tmp.path, "a.mp4");
    const video = Mp4Encoder.start(ffmpeg, path, { width: 16, height: 16, fps: 10 });
    for (let f = 0; f < 3; f++) await video.writeFrame(new Uint8Array(256).fill(80 * f));
    await video.close();
    const decoded = await new Deno.Command(ffmpeg, {
      args: ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
      stdout: "piped",
    }).output();
    assertEquals(decoded.stdout.length, 3 * 16 * 16);
    const aborted = join(tmp.path, "b.mp4");
    const other = Mp4Encoder.start(ffmpeg, aborted, { width: 16, height: 16, fps: 10 });
    await other.writeFrame(new Uint8Array(256));
    await other.abort();
    assertEquals([...Deno.readDirSync(tmp.path)].map((e) => e.name), ["a.mp4"]);
  },
});
