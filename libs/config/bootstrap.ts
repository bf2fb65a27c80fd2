import { ConsoleLogger } from '@nestjs/common';
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

/** Every log line names the process it comes from. */
export function processLogger(processName: string): ConsoleLogger {
  return new ConsoleLogger({ prefix: processName, timestamp: false });
}
