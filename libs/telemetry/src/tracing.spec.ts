import { describe, expect, it } from 'vitest';
import { startTracing, tracingStatus } from './tracing';

describe('startTracing', () => {
  it('stays off without an exporter', () => {
    expect(startTracing('api', {})).toBe(false);
    expect(tracingStatus()).toMatch(/tracing off \(no OTEL_TRACES_EXPORTER/);
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, /OTEL_TRACES_SAMPLER=always_off records nothing/],
    [
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
      /OTEL_TRACES_SAMPLER=traceidratio at 0 records nothing/,
    ],
  ])('loads no instrumentation when the sampler %j can never record', (sampler, message) => {
    expect(startTracing('api', { OTEL_TRACES_EXPORTER: 'otlp', ...sampler })).toBe(false);
    expect(tracingStatus()).toMatch(message);
    expect(tracingStatus()).toMatch(/no instrumentation loaded/);
  });
});
