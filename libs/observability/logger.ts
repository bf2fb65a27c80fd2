/**
 * One logger per process (pino), to stdout: a JSON object a line by default (`LOG_FORMAT=json`), for a log
 * collector; `LOG_FORMAT=pretty` writes the same entries as one readable line for a person at a terminal.
 * Every line names its process (`process`, `pid`); a line logged while a request or an activity runs carries
 * its `correlationId` (`correlation-context.ts`). Nest's logger and the Temporal SDK's logger both write
 * through it (`NestPinoLogger`, `TemporalPinoLogger`).
 */
import type { LoggerService } from '@nestjs/common';
import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogFormat, LogLevel } from '../config/config';
import { CORRELATION_ATTRIBUTE } from './correlation';
import { currentCorrelationId } from './correlation-context';

export type { Logger };

export interface LoggerOptions {
  processName: string;
  format: LogFormat;
  level: LogLevel;
}

/** The fields every line has; `pretty` shows them in front, the rest as JSON after the message. */
const FRONT = new Set(['time', 'level', 'process', 'pid', 'hostname', 'context', 'msg']);

/** One entry (pino's JSON line) as a line for a person: `12:00:01.234 INFO  regie-worker [Worker] Polling … {"extra":1}`. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json);
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? '').toUpperCase().padEnd(5);
  const context = entry.context ? ` [${entry.context}]` : '';
  const rest = Object.fromEntries(Object.entries(entry).filter(([key]) => !FRONT.has(key)));
  const err = rest.err as { stack?: string } | undefined;
  delete rest.err;
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${time} ${level} ${entry.process ?? ''}${context} ${entry.msg ?? ''}${extra}${err?.stack ? `\n${err.stack}` : ''}\n`;
}

/** Writes each entry as `prettyLine` to `out` (stdout by default). */
export const prettyDestination = (out: { write(chunk: string): unknown } = process.stdout): DestinationStream => ({
  write: (line: string) => void out.write(prettyLine(line)),
});

/**
 * The process's logger. `destination` is for tests; by default stdout, written synchronously so that the
 * last lines before an exit are not lost and lines keep their order with anything else the process prints.
 */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const out = options.format === 'pretty' ? prettyDestination(destination ?? process.stdout) : (destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level: options.level,
      base: { process: options.processName, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // The correlation id of the request or activity in progress, on every line logged for it.
      mixin: () => {
        const id = currentCorrelationId();
        return id ? { [CORRELATION_ATTRIBUTE]: id } : {};
      },
    },
    out,
  );
}

/** A Nest stack trace as Nest's own ConsoleLogger recognises one. */
const STACK = /^(.)+\n\s+at .+:\d+:\d+/;

/**
 * Nest's LoggerService on pino: `log(message, context)`, `error(message, stack?, context?)`. Nest passes the
 * context (the class's name) last; an object message is logged as fields.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, params: unknown[]): void {
    const rest = [...params];
    const context = rest.length && typeof rest.at(-1) === 'string' && !(level === 'error' && rest.length === 1 && STACK.test(rest[0] as string)) ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    const stack = rest.find((p): p is string => typeof p === 'string' && STACK.test(p));
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (message && typeof message === 'object') {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level]({ ...fields, ...(stack ? { err: { stack } } : {}) }, String(message));
    }
  }
}

const TEMPORAL_LEVELS: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's logger on pino (for `Runtime.install({ logger })`): the SDK's own lines and the
 * workflows' and activities' `log` calls, each with the attributes the SDK and the interceptors add
 * (workflowId, runId, activityType, …, correlationId), as fields under `context: "Temporal"`.
 */
export class TemporalPinoLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: TemporalLogLevel, message: string, meta?: LogMetadata): void {
    const fields: Record<string, unknown> = { context: 'Temporal' };
    for (const [key, value] of Object.entries(meta ?? {})) fields[key] = typeof value === 'bigint' ? value.toString() : value;
    this.logger[TEMPORAL_LEVELS[level] ?? 'info'](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The SDK's threshold for a pino level (the SDK has no FATAL: its ERROR). */
export const temporalLevelOf = (level: LogLevel): TemporalLogLevel => (level === 'fatal' ? 'ERROR' : (level.toUpperCase() as TemporalLogLevel));
