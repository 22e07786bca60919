/**
 * Starting a set of module workers that each answer an `init` message with
 * `{ type: "ready" }` (or `{ type: "error", message }`): shared by the
 * render, training and benchmark pools.
 *
 * @module
 */

/** The most workers any pool starts (more only adds memory and start-up time). */
export const MAX_WORKERS = 64;

/** A reply every pool worker may send. */
type StartReply = { type: "ready" } | { type: "error"; message: string } | { type: string };

/**
 * Starts `count` workers running `url`, sends each `init`, and waits until
 * all are ready. If one fails, all are stopped and the error says which
 * kind of worker (`what`) failed and why.
 *
 * @returns The workers, with their handlers cleared for the caller to set.
 */
export async function startWorkers(
  url: URL,
  count: number,
  init: unknown,
  what: string,
): Promise<{ workers: Worker[]; replies: unknown[] }> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) {
    throw new Error(
      `The worker count must be an integer from 1 to ${MAX_WORKERS}, got ${count}`,
    );
  }
  const workers = Array.from({ length: count }, () => new Worker(url, { type: "module" }));
  try {
    const replies = await Promise.all(
      workers.map((worker) =>
        new Promise<unknown>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent<StartReply>) => {
            const reply = event.data;
            if (reply.type === "ready") resolve(reply);
            else if (reply.type === "error" && "message" in reply) {
              reject(new Error(`A ${what} worker failed to start: ${reply.message}`));
            }
          };
          worker.onerror = (event) => {
            event.preventDefault();
            reject(new Error(`A ${what} worker failed to start: ${event.message}`));
          };
          worker.postMessage(init);
        })
      ),
    );
    for (const worker of workers) worker.onmessage = worker.onerror = null;
    return { workers, replies };
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }
}
