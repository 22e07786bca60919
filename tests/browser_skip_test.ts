import { assert, assertEquals, assertStringIncludes } from "@std/assert";

/** Runs one browser test file as `deno task test` would, with Chromium at `chromium`. */
async function runBrowserTest(chromium: string, ci: boolean) {
  const env: Record<string, string> = { CHROMIUM_PATH: chromium, CI: ci ? "true" : "" };
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--filter", "site e2e", "tests/site/gallery_e2e_test.ts"],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, output: text.decode(stdout) + text.decode(stderr) };
}

Deno.test("browser tests: without Chromium they are skipped with a notice locally, and fail in CI", async () => {
  const local = await runBrowserTest("/nonexistent/chromium", false);
  assertEquals(local.code, 0, local.output);
  assertStringIncludes(local.output, "NOTICE: Chromium is not installed at /nonexistent/chromium");
  assertStringIncludes(local.output, "1 ignored");
  const ci = await runBrowserTest("/nonexistent/chromium", true);
  assert(ci.code !== 0, ci.output);
  assertStringIncludes(ci.output, "Chromium is not installed at /nonexistent/chromium");
});
