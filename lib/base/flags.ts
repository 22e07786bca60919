/**
 * Declarative command-line flags: each flag is described once (name, type,
 * valid range, help), and parsing turns `Deno.args` into typed options or an
 * error that names the flag and says what is valid. Unknown flags are
 * errors. Defaults live with each command's config, not here.
 *
 * @module
 */
import { escapeText } from "./fs_safe.ts";
import { parseArgs } from "@std/cli/parse-args";

/** How a flag's value is read and checked. */
export type FlagType =
  | { kind: "int"; min?: number; max?: number }
  | { kind: "number"; min?: number; max?: number; exclusiveMin?: boolean }
  | { kind: "string"; pattern?: RegExp; hint?: string }
  | { kind: "name" }
  | { kind: "boolean" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "intList"; min?: number }
  | { kind: "size"; max?: number }
  | { kind: "point" };

/** One flag: `--name`, stored under `key`. */
export interface FlagSpec {
  /** The flag without dashes, kebab-case (`lr-g`). */
  name: string;
  /** The option key it sets (`lrG`). */
  key: string;
  /** Type and valid range. */
  type: FlagType;
  /** One line of help. */
  help: string;
  /** Placeholder shown in help (`N`, `DIR`). */
  arg?: string;
  /** Shown as the default in help instead of the value (e.g. "a timestamp"). */
  defaultText?: string;
}

/** A parse or validation error, meant to be shown to the user as is. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlagError";
  }
}

function describeType(t: FlagType): string {
  switch (t.kind) {
    case "int":
      return `an integer${t.min !== undefined ? ` >= ${t.min}` : ""}${
        t.max !== undefined ? ` and <= ${t.max}` : ""
      }`;
    case "number":
      return `a number${
        t.min !== undefined ? (t.exclusiveMin ? ` > ${t.min}` : ` >= ${t.min}`) : ""
      }${t.max !== undefined ? ` and <= ${t.max}` : ""}`;
    case "string":
      return t.hint ?? "a string";
    case "name":
      return "a name of letters, digits, '.', '-' or '_' (not '.', '..' or 'latest')";
    case "boolean":
      return "a switch (no value)";
    case "enum":
      return `one of ${t.values.join(", ")}`;
    case "intList":
      return `a comma-separated list of integers${t.min !== undefined ? ` >= ${t.min}` : ""}`;
    case "size":
      return `a size in pixels, N or WxH, each from 1 to ${t.max ?? 65535}`;
    case "point":
      return "a point x,y (two numbers)";
  }
}

/** Decimal numbers only: `Number()` would also take `0x10`, `0b1` and `0o7`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Names that would mean another folder once joined to a path. */
export const RESERVED_NAMES: readonly string[] = [".", "..", "latest"];

/**
 * Checks a name that becomes a file or folder name: letters, digits, '.',
 * '-' and '_' only, and none of {@linkcode RESERVED_NAMES}.
 *
 * @param what How errors name it (`--run`, `run name`).
 * @throws {FlagError} naming `what` and what is valid.
 */
export function checkName(name: string, what: string): string {
  if (!/^[\w.-]+$/.test(name) || RESERVED_NAMES.includes(name)) {
    throw new FlagError(
      `${what} must be ${describeType({ kind: "name" })}, got "${escapeText(name)}"`,
    );
  }
  return name;
}

function parseNumber(flag: string, raw: string, t: FlagType): number {
  const text = raw.trim();
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  const bad = () => new FlagError(`--${flag} must be ${describeType(t)}, got "${escapeText(raw)}"`);
  if (!Number.isFinite(value)) throw bad();
  if (t.kind === "int" && !Number.isInteger(value)) throw bad();
  if (t.kind === "int" || t.kind === "number") {
    const exclusive = t.kind === "number" && t.exclusiveMin;
    if (t.min !== undefined && (exclusive ? value <= t.min : value < t.min)) throw bad();
    if (t.max !== undefined && value > t.max) throw bad();
  }
  return value;
}

function convert(spec: FlagSpec, raw: unknown): unknown {
  const { name, type } = spec;
  if (type.kind === "boolean") return raw;
  if (typeof raw !== "string" || raw === "") {
    throw new FlagError(`--${name} needs a value: ${describeType(type)}`);
  }
  switch (type.kind) {
    case "int":
    case "number":
      return parseNumber(name, raw, type);
    case "string":
      if (type.pattern && !type.pattern.test(raw)) {
        throw new FlagError(`--${name} must be ${describeType(type)}, got "${escapeText(raw)}"`);
      }
      return raw;
    case "name":
      return checkName(raw, `--${name}`);
    case "enum":
      if (!type.values.includes(raw)) {
        throw new FlagError(`--${name} must be ${describeType(type)}, got "${escapeText(raw)}"`);
      }
      return raw;
    case "intList":
      return raw.split(",").map((part) => parseNumber(name, part, { kind: "int", min: type.min }));
    case "size": {
      const m = /^(\d+)(?:x(\d+))?$/i.exec(raw.trim());
      const max = type.max ?? 65535;
      const w = m ? Number(m[1]) : NaN, h = m ? Number(m[2] ?? m[1]) : NaN;
      if (!(w >= 1 && h >= 1 && w <= max && h <= max)) {
        throw new FlagError(`--${name} must be ${describeType(type)}, got "${escapeText(raw)}"`);
      }
      return [w, h];
    }
    case "point": {
      const values = raw.split(",").map((p) => (DECIMAL.test(p.trim()) ? Number(p) : NaN));
      if (values.length !== 2 || !values.every(Number.isFinite)) {
        throw new FlagError(`--${name} must be ${describeType(type)}, got "${escapeText(raw)}"`);
      }
      return values;
    }
  }
}

/** Edit distance between two short strings. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The error for an unknown flag, suggesting the nearest valid one. */
function unknownFlag(flag: string, names: string[]): FlagError {
  const given = flag.replace(/^-+/, "");
  const ranked = names.map((n) => ({ n, d: distance(given, n) })).sort((a, b) => a.d - b.d);
  const best = ranked[0];
  if (best && best.d <= Math.max(2, Math.floor(given.length / 3))) {
    return new FlagError(
      `Unknown flag ${escapeText(flag)}: did you mean --${best.n}? (see --help)`,
    );
  }
  return new FlagError(
    `Unknown flag ${escapeText(flag)}. Valid flags: ${
      names.map((n) => `--${n}`).join(", ")
    } (see --help)`,
  );
}

/** Refuses `--switch=value`: a switch is on (`--x`) or off (`--no-x`), never `--x=no`. */
function checkSwitches(args: string[], specs: readonly FlagSpec[]): void {
  for (const spec of specs) {
    if (spec.type.kind !== "boolean") continue;
    const bad = args.find((a) =>
      a.startsWith(`--${spec.name}=`) || a.startsWith(`--no-${spec.name}=`)
    );
    if (bad) {
      throw new FlagError(
        `${escapeText(bad.split("=")[0])} is a switch and takes no value, got "${
          escapeText(bad)
        }": ` +
          `write --${spec.name} or --no-${spec.name}`,
      );
    }
  }
}

/**
 * Parses `args` against `specs`. Returns only the options the user gave
 * (keyed by `key`), plus `help: true` if `--help` was passed.
 *
 * @throws {FlagError} for unknown flags, missing values, bad values and
 *   positional arguments.
 */
export function parseFlags(
  args: string[],
  specs: readonly FlagSpec[],
): Record<string, unknown> & { help?: boolean } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  // "--steps -5" would read -5 as short flags, and "--out ''" an empty
  // positional argument; join such values to their flag instead.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const spec = args[i].startsWith("--") ? byName.get(args[i].slice(2)) : undefined;
    const next = args[i + 1];
    if (spec && spec.type.kind !== "boolean" && next !== undefined && /^(-[\d.]|$)/.test(next)) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else joined.push(args[i]);
  }
  args = joined;
  const booleans = specs.filter((s) => s.type.kind === "boolean").map((s) => s.name);
  const strings = specs.filter((s) => s.type.kind !== "boolean").map((s) => s.name);
  const unknown: string[] = [];
  const positional: string[] = [];
  const parsed = parseArgs(args, {
    boolean: [...booleans, "help"],
    string: strings,
    negatable: booleans,
    alias: { h: "help" },
    unknown: (arg, key) => {
      if (key !== undefined) unknown.push(arg.split("=")[0]);
      else positional.push(arg);
      return false;
    },
  });
  if (unknown.length) throw unknownFlag(unknown[0], [...byName.keys()]);
  checkSwitches(args, specs);
  if (positional.length || parsed._.length) {
    throw new FlagError(
      `Unexpected argument "${
        escapeText(String(positional[0] ?? parsed._[0]))
      }": every option is a --flag (see --help)`,
    );
  }
  const out: Record<string, unknown> & { help?: boolean } = {};
  if (parsed.help) out.help = true;
  for (const spec of specs) {
    const raw = (parsed as Record<string, unknown>)[spec.name];
    if (raw === undefined) continue;
    if (spec.type.kind === "boolean") {
      // parseArgs sets every boolean to false when absent; keep only given ones.
      if (
        !args.some((a) =>
          a === `--${spec.name}` || a === `--no-${spec.name}` || a.startsWith(`--${spec.name}=`)
        )
      ) {
        continue;
      }
    }
    const uses = args.filter((a) =>
      a === `--${spec.name}` || a.startsWith(`--${spec.name}=`) || a === `--no-${spec.name}`
    );
    if (uses.length > 1) throw new FlagError(`--${spec.name} was given more than once`);
    out[spec.key] = convert(spec, raw);
  }
  return out;
}

/** A value in the syntax its flag accepts (`2048x1024`, `24,48,96`). */
export function formatValue(spec: FlagSpec, value: unknown): string {
  if (typeof value === "string") return value;
  if (spec.type.kind === "size" && Array.isArray(value)) {
    const [w, h] = value as number[];
    return w === h ? String(w) : `${w}x${h}`;
  }
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** Help text: usage line, then one line per flag with its default. */
export function helpText(
  usage: string,
  specs: readonly FlagSpec[],
  defaults: object,
): string {
  const rows = specs.map((s) => {
    const d = (defaults as Record<string, unknown>)[s.key];
    const name = s.type.kind === "boolean" && d === true ? `no-${s.name}` : s.name;
    const left = `  --${name}${s.arg ? ` ${s.arg}` : ""}`;
    const shown = s.defaultText
      ? ` (default: ${s.defaultText})`
      : d === undefined || d === null || d === "" || typeof d === "boolean"
      ? ""
      : ` (default: ${formatValue(s, d)})`;
    return [left, `${s.help}${shown}`];
  });
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return [
    usage,
    "",
    "Options:",
    ...rows.map(([l, r]) => l.padEnd(width) + r),
    "  --help".padEnd(width) + "Show this help",
  ].join("\n");
}

/**
 * The command-line form of option values: `--name value` for each key set
 * in `values` (keys may be option keys or flag names), in `specs` order.
 * The inverse of {@linkcode parseFlags}. Strings are passed on as typed
 * (the parser checks them); a switch takes only `true` or `false`.
 *
 * @throws {FlagError} if a switch's value is not a boolean.
 */
export function toArgs(values: Record<string, unknown>, specs: readonly FlagSpec[]): string[] {
  const args: string[] = [];
  for (const spec of specs) {
    const value = values[spec.key] ?? values[spec.name];
    if (value === undefined || value === null) continue;
    if (typeof value === "object" && !Array.isArray(value)) {
      throw new FlagError(
        `--${spec.name} must be ${describeType(spec.type)}, got ${
          escapeText(JSON.stringify(value))
        }`,
      );
    }
    if (spec.type.kind !== "boolean") args.push(`--${spec.name}`, formatValue(spec, value));
    else if (typeof value === "boolean") args.push(value ? `--${spec.name}` : `--no-${spec.name}`);
    else {
      throw new FlagError(`--${spec.name} must be true or false, got ${JSON.stringify(value)}`);
    }
  }
  return args;
}

/** Checks that every key of `values` is a known option key or flag name. */
export function checkKeys(
  values: Record<string, unknown>,
  specs: readonly FlagSpec[],
  where: string,
): void {
  const known = new Set(specs.flatMap((s) => [s.key, s.name]));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) {
      throw new FlagError(
        `${where}: unknown setting "${escapeText(key)}". Valid: ${
          specs.map((s) => s.name).join(", ")
        }`,
      );
    }
  }
}
