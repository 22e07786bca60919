/**
 * What every command-line entry point shares: flag parsing with `--help`,
 * and turning errors into one clear line and an exit code.
 *
 * @module
 */
import { FlagError, type FlagSpec, helpText, parseFlags } from "./flags.ts";
import { escapeText } from "./fs_safe.ts";

/** An error message safe for a terminal: control characters escaped, line breaks kept. */
export function printable(message: string): string {
  return message.split("\n").map(escapeText).join("\n");
}

/**
 * Parses `args`; prints help and exits 0 on `--help`, prints the error and
 * exits 2 on a bad flag.
 */
export function parseOrExit<T>(
  args: string[],
  specs: readonly FlagSpec[],
  usage: string,
  defaults: object,
): Partial<T> {
  try {
    const parsed = parseFlags(args, specs);
    if (parsed.help) {
      console.log(helpText(usage, specs, defaults));
      Deno.exit(0);
    }
    return parsed as Partial<T>;
  } catch (error) {
    if (error instanceof FlagError) {
      console.error(`error: ${printable(error.message)}`);
      Deno.exit(2);
    }
    throw error;
  }
}

/**
 * Runs `main`, printing any error as one line (`error: ...`) and exiting
 * with 2 for usage errors, 1 for anything else. Set `CPPN_DEBUG=1` for
 * stack traces.
 */
export async function runMain(main: () => Promise<number | void>): Promise<never> {
  try {
    const code = await main();
    Deno.exit(code ?? 0);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${printable(message)}`);
    if (Deno.env.get("CPPN_DEBUG") && error instanceof Error) console.error(error.stack);
    Deno.exit(error instanceof FlagError ? 2 : 1);
  }
}

/**
 * A second Ctrl-C counts only this long after the first: one Ctrl-C in a
 * terminal reaches a `deno task` command twice, from the terminal and
 * forwarded by the task runner, a few milliseconds apart.
 */
export const REPEAT_AFTER_MS = 1000;

/**
 * The signal handler of {@linkcode onInterrupt}: `onStop` on the first
 * call; `exit(130)` on a later one at least {@linkcode REPEAT_AFTER_MS}
 * after it; nothing on one sooner (the same Ctrl-C).
 */
export function interruptHandler(
  onStop: () => void,
  exit: (code: number) => void = Deno.exit,
  now: () => number = () => performance.now(),
): () => void {
  let first: number | null = null;
  return () => {
    const t = now();
    if (first === null) {
      first = t;
      onStop();
    } else if (t - first >= REPEAT_AFTER_MS) exit(130);
  };
}

/**
 * Calls `onStop` on the first Ctrl-C or SIGTERM; a second one (a second
 * or more later) exits at once (code 130). Returns a function that
 * removes the listeners.
 */
export function onInterrupt(onStop: () => void): () => void {
  const handler = interruptHandler(onStop);
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, handler);
  return () => {
    for (const s of signals) Deno.removeSignalListener(s, handler);
  };
}
