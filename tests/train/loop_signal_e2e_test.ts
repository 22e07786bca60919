import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { tempDir } from "../_helpers.ts";

Deno.test({
  name:
    "deno task train: Ctrl-C (delivered twice, as through deno task) finishes the step, saves, exits 0 and says how to resume",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using tmp = await tempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/train.ts",
        "--out",
        tmp.path,
        "--run",
        "sig",
        "--width",
        "8",
        "--batch",
        "4",
        "--encoder-width",
        "16",
        "--steps",
        "100000",
        "--backend",
        "wasm",
        "--log-every",
        "1",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const log = join(tmp.path, "runs", "sig", "log.jsonl");
    for (let i = 0; i < 600; i++) {
      const text = await Deno.readTextFile(log).catch(() => "");
      if (text.split("\n").length > 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // one Ctrl-C on `deno task train` reaches the script twice, the terminal's and (a few
    // milliseconds later) the task runner's: it still finishes the step and saves
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    const { code, stdout, stderr } = await child.output();
    const text = new TextDecoder().decode(stderr);
    assertEquals(code, 0, text);
    assertStringIncludes(new TextDecoder().decode(stdout), "deno task train --run sig --resume");
    // the lock is released on the way out
    assert(!(await Deno.stat(join(tmp.path, "runs", "sig", "train.lock")).catch(() => null)));
    const state = JSON.parse(
      await Deno.readTextFile(join(tmp.path, "runs", "sig", "checkpoint", "state.json")),
    );
    const logged = (await Deno.readTextFile(log)).trim().split("\n").length;
    assertEquals(state.step, logged); // every finished step is in the checkpoint
  },
});
