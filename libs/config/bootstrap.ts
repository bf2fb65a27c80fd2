import { createLogger, type Logger, NestPinoLogger } from '../observability/logger';
import { ConfigError, loadConfig, RegieConfig } from './config';

/** Loads the config for a process or exits with the message naming the bad variable. */
export function loadConfigOrExit(processName: string): RegieConfig {
  try {
    return loadConfig(processName);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`[${processName}] ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/**
 * The process's logger (pino, to stdout, as LOG_FORMAT and LOG_LEVEL say; every line names the process),
 * and the same as Nest's logger.
 */
export function processLogger(config: RegieConfig): { log: Logger; nest: NestPinoLogger } {
  const log = createLogger({ processName: config.processName, ...config.logs });
  return { log, nest: new NestPinoLogger(log) };
}
