import { Global, Module, type FactoryProvider } from '@nestjs/common';
import { ALL_CONFIG_NAMESPACES } from './config.namespaces';
import { EnvironmentVariables, validateEnv } from './env.validation';

/**
 * The environment, validated once per application as it is created (tests create several in one
 * process, each with its own variables), and every typed namespace built from that one result.
 */
const namespaces: FactoryProvider[] = ALL_CONFIG_NAMESPACES.map((namespace) => ({
  provide: namespace.KEY,
  useFactory: namespace,
  inject: [EnvironmentVariables],
}));

/** Global configuration: inject `EnvironmentVariables`, or better a namespace by its `KEY`. */
@Global()
@Module({
  providers: [
    { provide: EnvironmentVariables, useFactory: () => validateEnv(process.env) },
    ...namespaces,
  ],
  exports: [EnvironmentVariables, ...namespaces.map((p) => p.provide)],
})
export class AppConfigModule {}
