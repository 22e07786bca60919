import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import {
  contentType,
  handleStatic,
  parseRange,
  serveStatic,
} from "../../lib/site/static_server.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("static server: content types cover the gallery's files", () => {
  assertEquals(contentType("a/index.html"), "text/html; charset=utf-8");
  assertEquals(contentType("tiles/x/image.dzi"), "application/xml; charset=utf-8");
  assertEquals(contentType("img/a.webp"), "image/webp");
  assertEquals(contentType("m/walk.MP4"), "video/mp4");
  assertEquals(contentType("a.avif"), "image/avif");
  assertEquals(contentType("assets/x.js"), "text/javascript; charset=utf-8");
  assertEquals(contentType("favicon.svg"), "image/svg+xml");
  assertEquals(contentType("_headers"), "application/octet-stream");
});

Deno.test("static server: parseRange reads the byte-range forms browsers send", () => {
  assertEquals(parseRange(null, 100), null);
  assertEquals(parseRange("bytes=0-", 100), { start: 0, end: 99 });
  assertEquals(parseRange("bytes=10-19", 100), { start: 10, end: 19 });
  assertEquals(parseRange("bytes=90-200", 100), { start: 90, end: 99 });
  assertEquals(parseRange("bytes=-10", 100), { start: 90, end: 99 });
  assertEquals(parseRange("bytes=-500", 100), { start: 0, end: 99 });
  assertEquals(parseRange("bytes=100-", 100), "unsatisfiable");
  assertEquals(parseRange("bytes=-0", 100), "unsatisfiable");
  assertEquals(parseRange("bytes=5-2", 100), null); // invalid: ignored, whole file
  assertEquals(parseRange("bytes=0-1,5-6", 100), null); // several ranges: whole file
  assertEquals(parseRange("items=0-1", 100), null);
});

Deno.test("static server: files, folders, ranges, HEAD and a sub-path", async () => {
  await using dir = await tempDir();
  const root = join(dir.path, "site");
  const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
  await Deno.mkdir(join(root, "walks", "w1"), { recursive: true });
  await Deno.writeFile(join(root, "walk.mp4"), bytes);
  await Deno.writeTextFile(join(root, "index.html"), "<h1>home</h1>");
  await Deno.writeTextFile(join(root, "walks", "w1", "index.html"), "<h1>w1</h1>");
  await Deno.writeTextFile(join(dir.path, "secret.txt"), "outside the served folder");
  const get = (path: string, init?: RequestInit) =>
    handleStatic(new Request(`http://x${path}`, init), { root, prefix: "/gallery/" });

  let r = await get("/gallery/");
  assertEquals([r.status, r.headers.get("content-type"), await r.text()], [
    200,
    "text/html; charset=utf-8",
    "<h1>home</h1>",
  ]);
  r = await get("/gallery/walks/w1");
  assertEquals([r.status, r.headers.get("location")], [301, "/gallery/walks/w1/"]);
  r = await get("/gallery/walks/w1/");
  assertEquals(await r.text(), "<h1>w1</h1>");
  r = await get("/");
  assertEquals([r.status, r.headers.get("location")], [302, "/gallery/"]);
  r = await get("/gallery");
  assertEquals(r.status, 302);
  r = await get("/other/index.html");
  assertEquals(r.status, 404);
  await r.body?.cancel();
  r = await get("/gallery/missing.png");
  assertEquals(r.status, 404);
  await r.body?.cancel();
  // Ways out of the folder: URL-normalised away (404) or refused (403), never served.
  for (
    const [path, status] of [
      ["/gallery/%2e%2e/secret.txt", 404],
      ["/gallery/a/../../secret.txt", 404],
      ["/gallery/..%2Fsecret.txt", 403],
      ["/gallery/walks/..%2F..%2Fsecret.txt", 403],
    ] as const
  ) {
    r = await get(path);
    assertEquals(r.status, status, path);
    await r.body?.cancel();
  }
  r = await get("/gallery/index.html", { method: "POST" });
  assertEquals(r.status, 405);
  await r.body?.cancel();

  r = await get("/gallery/walk.mp4");
  assertEquals([r.status, r.headers.get("content-type"), r.headers.get("accept-ranges")], [
    200,
    "video/mp4",
    "bytes",
  ]);
  assertEquals(new Uint8Array(await r.arrayBuffer()), bytes);
  r = await get("/gallery/walk.mp4", { headers: { range: "bytes=100000-100009" } });
  assertEquals(r.status, 206);
  assertEquals(r.headers.get("content-range"), "bytes 100000-100009/200000");
  assertEquals(r.headers.get("content-length"), "10");
  assertEquals(new Uint8Array(await r.arrayBuffer()), bytes.slice(100000, 100010));
  r = await get("/gallery/walk.mp4", { headers: { range: "bytes=-5" } });
  assertEquals(new Uint8Array(await r.arrayBuffer()), bytes.slice(-5));
  r = await get("/gallery/walk.mp4", { headers: { range: "bytes=300000-" } });
  assertEquals([r.status, r.headers.get("content-range")], [416, "bytes */200000"]);
  await r.body?.cancel();
  r = await get("/gallery/walk.mp4", { method: "HEAD" });
  assertEquals([r.status, r.headers.get("content-length"), r.body], [200, "200000", null]);
});

Deno.test("static server: serveStatic listens on 127.0.0.1 and reports its URL", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(join(dir.path, "index.html"), "ok");
  const server = serveStatic({ root: dir.path, port: 0, prefix: "/sub/path/" });
  try {
    assertEquals(server.url, `http://127.0.0.1:${server.port}/sub/path/`);
    const response = await fetch(server.url);
    assertEquals(await response.text(), "ok");
  } finally {
    await server.close();
  }
});

Deno.test("static server: never follows a symbolic link out of the folder, nor serves a FIFO", async () => {
  await using dir = await tempDir();
  const root = join(dir.path, "site");
  await Deno.mkdir(join(root, "sub"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "secret.txt"), "outside");
  await Deno.writeTextFile(join(root, "page.html"), "inside");
  await Deno.symlink(join(dir.path, "secret.txt"), join(root, "x"));
  await Deno.symlink("/etc/passwd", join(root, "passwd"));
  await Deno.symlink(dir.path, join(root, "up"));
  await Deno.symlink("../page.html", join(root, "sub", "same.html")); // inside: fine
  await new Deno.Command("mkfifo", { args: [join(root, "pipe")] }).output();
  const get = (path: string) => handleStatic(new Request(`http://x${path}`), { root });
  for (const path of ["/x", "/passwd", "/up/secret.txt", "/pipe"]) {
    const r = await get(path);
    assertEquals(r.status, 403, path);
    await r.body?.cancel();
  }
  const r = await get("/sub/same.html");
  assertEquals([r.status, await r.text()], [200, "inside"]);
});
