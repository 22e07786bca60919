import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { FlagError } from "../../lib/base/flags.ts";
import { displayPath, PROJECT_ROOT, resolveModel, SHIPPED_MODEL } from "../../lib/model/source.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("displayPath: relative to the project inside it, else the folder's own name", () => {
  assertEquals(displayPath(SHIPPED_MODEL), "models/mnist-cppn");
  assertEquals(displayPath(join(PROJECT_ROOT, "output", "runs", "a")), "output/runs/a");
  assertEquals(displayPath("/somewhere/else/my-model"), "my-model");
  assertEquals(displayPath("relative/dir"), "relative/dir");
});

Deno.test("resolveModel: the shipped model when there are no runs; --model as given", async () => {
  await using tmp = await tempDir();
  const shipped = await resolveModel({ out: tmp.path });
  assertEquals([shipped.kind, shipped.name, shipped.checkpoint], [
    "model",
    "models/mnist-cppn",
    SHIPPED_MODEL,
  ]);
  const chosen = await resolveModel({ model: SHIPPED_MODEL, out: tmp.path });
  assertEquals(chosen.spec, shipped.spec);
  assertEquals(chosen.step, shipped.step);
});

Deno.test("resolveModel: clear errors for a missing run or folder, and for both at once", async () => {
  await using tmp = await tempDir();
  await assertRejects(
    () => resolveModel({ run: "a", model: "b", out: tmp.path }),
    FlagError,
    "Give either --run or --model, not both",
  );
  await assertRejects(
    () => resolveModel({ model: join(tmp.path, "nope"), out: tmp.path }),
    FlagError,
    `--model "${join(tmp.path, "nope")}" does not exist`,
  );
  await assertRejects(
    () => resolveModel({ run: "nope", out: tmp.path }),
    FlagError,
    `--run "nope": no such run in ${join(tmp.path, "runs")}`,
  );
});
