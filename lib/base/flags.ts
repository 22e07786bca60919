/**
 * Declarative command-line flags: each flag is described once (name, type,
 * valid range, help), and parsing turns `Deno.args` into typed options or an
 * error that names the flag and says what is valid. Unknown flags are
 * errors. Defaults live with each command's config, not here.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";

/** How a flag's value is read and checked. */
export type FlagType =
  | { kind: "int"; min?: number; max?: number }
  | { kind: "number"; min?: number; max?: number; exclusiveMin?: boolean }
  | { kind: "string"; pattern?: RegExp; hint?: string }
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

function parseNumber(flag: string, raw: string, t: FlagType): number {
  const text = raw.trim();
  const value = text === "" ? NaN : Number(text);
  const bad = () => new FlagError(`--${flag} must be ${describeType(t)}, got "${raw}"`);
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
        throw new FlagError(`--${name} must be ${describeType(type)}, got "${raw}"`);
      }
      return raw;
    case "enum":
      if (!type.values.includes(raw)) {
        throw new FlagError(`--${name} must be ${describeType(type)}, got "${raw}"`);
      }
      return raw;
    case "intList":
      return raw.split(",").map((part) => parseNumber(name, part, { kind: "int", min: type.min }));
    case "size": {
      const m = /^(\d+)(?:x(\d+))?$/i.exec(raw.trim());
      const max = type.max ?? 65535;
      const w = m ? Number(m[1]) : NaN, h = m ? Number(m[2] ?? m[1]) : NaN;
      if (!(w >= 1 && h >= 1 && w <= max && h <= max)) {
        throw new FlagError(`--${name} must be ${describeType(type)}, got "${raw}"`);
      }
      return [w, h];
    }
    case "point": {
      const values = raw.split(",").map((p) => (p.trim() === "" ? NaN : Number(p)));
      if (values.length !== 2 || !values.every(Number.isFinite)) {
        throw new FlagError(`--${name} must be ${describeType(type)}, got "${raw}"`);
      }
      return values;
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
  // "--steps -5" would read -5 as short flags; join it to its flag instead.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const spec = args[i].startsWith("--") ? byName.get(args[i].slice(2)) : undefined;
    const next = args[i + 1];
    if (spec && spec.type.kind !== "boolean" && next !== undefined && /^-[\d.]/.test(next)) {
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
  if (unknown.length) {
    throw new FlagError(
      `Unknown flag ${unknown[0]}. Valid flags: ${
        [...byName.keys()].map((n) => `--${n}`).join(", ")
      } (see --help)`,
    );
  }
  if (positional.length || parsed._.length) {
    throw new FlagError(
      `Unexpected argument "${
        positional[0] ?? parsed._[0]
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
      : ` (default: ${Array.isArray(d) ? d.join(",") : d})`;
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
 * The inverse of {@linkcode parseFlags}.
 */
export function toArgs(values: Record<string, unknown>, specs: readonly FlagSpec[]): string[] {
  const args: string[] = [];
  for (const spec of specs) {
    const value = values[spec.key] ?? values[spec.name];
    if (value === undefined || value === null) continue;
    switch (spec.type.kind) {
      case "boolean":
        args.push(value ? `--${spec.name}` : `--no-${spec.name}`);
        break;
      case "size": {
        const [w, h] = value as number[];
        args.push(`--${spec.name}`, w === h ? String(w) : `${w}x${h}`);
        break;
      }
      case "intList":
      case "point":
        args.push(`--${spec.name}`, (value as number[]).join(","));
        break;
      default:
        args.push(`--${spec.name}`, String(value));
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
        `${where}: unknown setting "${key}". Valid: ${specs.map((s) => s.name).join(", ")}`,
      );
    }
  }
}
