import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ALL_CONFIG_NAMESPACES } from './config.namespaces';
import { validateEnv } from './env.validation';

/** Global, validated configuration; every feature injects its own typed namespace. */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      cache: false,
      load: ALL_CONFIG_NAMESPACES,
      validate: (raw) => {
        validateEnv(raw);
        return raw;
      },
    }),
  ],
})
export class AppConfigModule {}
