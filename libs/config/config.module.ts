import { DynamicModule, Global, Module } from '@nestjs/common';
import { loadConfig, RegieConfig } from './config';

export const REGIE_CONFIG = Symbol('REGIE_CONFIG');

/** Provides the validated configuration; `forRoot` takes an already loaded config (tests pass their own). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: RegieConfig | string): DynamicModule {
    const value = typeof config === 'string' ? loadConfig(config) : config;
    return { module: ConfigModule, providers: [{ provide: REGIE_CONFIG, useValue: value }], exports: [REGIE_CONFIG] };
  }
}
