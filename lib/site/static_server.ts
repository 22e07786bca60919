/**
 * A tiny static file server for previewing the gallery: content types for
 * everything the site holds (`.dzi`, `.webp`, `.mp4`, ...), `index.html`
 * for folders, HEAD, and byte-range requests (video seeking needs them).
 * It serves one folder under an optional path prefix (`/gallery/`), never
 * anything outside that folder, nor a symbolic link that leads out of it.
 *
 * @module
 */
import { extname, join, normalize, SEPARATOR } from "@std/path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".dzi": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

/** The Content-Type for a file path (`application/octet-stream` if unknown). */
export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Parses a `Range: bytes=...` header against a file of `size` bytes:
 * `{ start, end }` (inclusive), `"unsatisfiable"`, or null to send the
 * whole file (no header, or a form not supported such as several ranges).
 */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  const match = header.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return null;
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (end < start) return match[2] === "" || start >= size ? "unsatisfiable" : null;
  }
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/** Options of {@link handleStatic} and {@link serveStatic}. */
export interface StaticOptions {
  /** The folder to serve. */
  root: string;
  /** URL path the folder appears under, with slashes at both ends (default `/`). */
  prefix?: string;
  /** Extra headers on every response. */
  headers?: Record<string, string>;
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/**
 * Whether `path`, with every symbolic link followed, still lies inside
 * `root` (links within the folder are fine; links out of it are not).
 */
async function resolvesInside(root: string, path: string): Promise<boolean> {
  try {
    const [realRoot, real] = await Promise.all([Deno.realPath(root), Deno.realPath(path)]);
    return real.startsWith(realRoot.endsWith(SEPARATOR) ? realRoot : realRoot + SEPARATOR);
  } catch {
    return false;
  }
}

/** Answers one request from the folder (see the module doc). */
export async function handleStatic(request: Request, options: StaticOptions): Promise<Response> {
  const extra = options.headers ?? {};
  if (request.method !== "GET" && request.method !== "HEAD") {
    return text(405, "Method not allowed\n", { allow: "GET, HEAD", ...extra });
  }
  const found = await findFile(new URL(request.url), options);
  if (found instanceof Response) return found;
  const { path, info } = found;
  const size = info.size;
  const headers: Record<string, string> = {
    "content-type": contentType(path),
    "accept-ranges": "bytes",
    "cache-control": "no-cache",
    ...(info.mtime ? { "last-modified": info.mtime.toUTCString() } : {}),
    ...extra,
  };
  const range = parseRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") {
    return text(416, "Range not satisfiable\n", { "content-range": `bytes */${size}`, ...extra });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const length = size === 0 ? 0 : end - start + 1;
  headers["content-length"] = String(length);
  if (range) headers["content-range"] = `bytes ${start}-${end}/${size}`;
  const status = range ? 206 : 200;
  if (request.method === "HEAD" || length === 0) return new Response(null, { status, headers });
  return new Response(await fileStream(path, start, length), { status, headers });
}

/**
 * The file a URL names inside the served folder (a folder's `index.html`),
 * or the response that refuses it: a redirect, 400, 403 or 404.
 */
async function findFile(
  url: URL,
  options: StaticOptions,
): Promise<{ path: string; info: Deno.FileInfo } | Response> {
  const prefix = options.prefix ?? "/";
  const extra = options.headers ?? {};
  if (url.pathname === prefix.slice(0, -1) || (prefix !== "/" && url.pathname === "/")) {
    return new Response(null, { status: 302, headers: { location: prefix, ...extra } });
  }
  if (!url.pathname.startsWith(prefix)) return text(404, "Not found\n", extra);
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname.slice(prefix.length));
  } catch {
    return text(400, "Bad request\n", extra);
  }
  if (rel.includes("\0") || rel.split("/").some((part) => part === "..")) {
    return text(403, "Forbidden\n", extra);
  }
  const root = normalize(options.root);
  let path = normalize(join(root, rel));
  if (path !== root && !path.startsWith(root.endsWith(SEPARATOR) ? root : root + SEPARATOR)) {
    return text(403, "Forbidden\n", extra);
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
    if (info.isDirectory) {
      if (!url.pathname.endsWith("/")) {
        return new Response(null, {
          status: 301,
          headers: { location: `${url.pathname}/${url.search}`, ...extra },
        });
      }
      path = join(path, "index.html");
      info = await Deno.stat(path);
    }
  } catch {
    return text(404, "Not found\n", extra);
  }
  if (!info.isFile || !(await resolvesInside(root, path))) return text(403, "Forbidden\n", extra);
  return { path, info };
}

/** `length` bytes of the file at `path` from `start`, read in 64 KiB chunks as they are asked for. */
async function fileStream(
  path: string,
  start: number,
  length: number,
): Promise<ReadableStream<Uint8Array>> {
  const file = await Deno.open(path, { read: true });
  if (start > 0) await file.seek(start, Deno.SeekMode.Start);
  let remaining = length;
  const close = () => {
    try {
      file.close();
    } catch {
      // already closed
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = new Uint8Array(Math.min(64 * 1024, remaining));
        const read = await file.read(chunk);
        if (read === null || read === 0) {
          file.close();
          controller.close();
          return;
        }
        remaining -= read;
        controller.enqueue(chunk.subarray(0, read));
        if (remaining <= 0) {
          file.close();
          controller.close();
        }
      } catch (error) {
        close();
        controller.error(error);
      }
    },
    cancel: close,
  });
}

/** A running server. */
export interface StaticServer {
  /** The URL of the served folder (`http://127.0.0.1:PORT/prefix/`). */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Stops it and waits until it has. */
  close(): Promise<void>;
}

/**
 * Serves `options.root` on `hostname:port` (port 0: any free one).
 *
 * @throws {Error} naming the port if it is taken.
 */
export function serveStatic(
  options: StaticOptions & { port?: number; hostname?: string },
): StaticServer {
  const hostname = options.hostname ?? "127.0.0.1";
  const prefix = options.prefix ?? "/";
  if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
    throw new Error(`The path prefix must start and end with "/", got "${prefix}"`);
  }
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname, port: options.port ?? 0, onListen: () => {} },
      (request) => handleStatic(request, { ...options, prefix }),
    );
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(`Port ${options.port} is in use: pick another with --port N`);
    }
    throw error;
  }
  const port = server.addr.port;
  return {
    url: `http://${hostname}:${port}${prefix}`,
    port,
    close: () => server.shutdown(),
  };
}
