/** The slice of a pino logger the buses use; pino's Logger satisfies it. */
export interface BusLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options every bus implementation accepts besides the SPI's BusOptions. */
export interface BusRuntimeOptions {
  /** Where handler failures and reconnects are reported (default: JSON lines on stderr). */
  logger?: BusLogger;
}

function line(level: string, obj: object, msg: string): string {
  const fields: Record<string, unknown> = { level, time: Date.now(), component: 'bus', msg };
  for (const [k, v] of Object.entries(obj)) {
    fields[k] = v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v;
  }
  return JSON.stringify(fields);
}

export const stderrLogger: BusLogger = {
  warn: (obj, msg) => process.stderr.write(`${line('warn', obj, msg)}\n`),
  error: (obj, msg) => process.stderr.write(`${line('error', obj, msg)}\n`),
};
