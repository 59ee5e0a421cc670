/** What replaces a secret in a log line. */
export const REDACTED = '[Redacted]';

/** Field and header names whose values never reach a log line (Idempotency-Key stays: it is useful). */
const SENSITIVE_KEY =
  /secret|password|passwd|api[-_]?key|^authorization$|^proxy-authorization$|^cookie$|^set-cookie$/i;

const MAX_DEPTH = 6;

export const isSensitiveKey = (key: string): boolean => SENSITIVE_KEY.test(key);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` with the values of sensitive keys (`*secret*`, `*password*`, `*api_key*`,
 * Authorization, Cookie…) replaced, at any depth of plain objects and arrays. Anything else (errors,
 * class instances) is left to its serializer. Returns `value` itself when nothing had to change.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item: unknown) => {
      const redacted = redactSecrets(item, depth + 1);
      if (redacted !== item) changed = true;
      return redacted;
    });
    return (changed ? out : value) as T;
  }
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const redacted =
      isSensitiveKey(key) && item !== undefined && item !== null
        ? REDACTED
        : redactSecrets(item, depth + 1);
    if (redacted !== item) {
      out ??= { ...value };
      out[key] = redacted;
    }
  }
  return (out ?? value) as T;
}
