export type JsonCheck = 'ok' | 'invalid' | 'too_deep';

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
/** Characters allowed after a backslash: " \ / b f n r t (u is handled apart). */
const isEscape = (c: number) =>
  c === QUOTE ||
  c === BACKSLASH ||
  c === 0x2f ||
  c === 0x62 ||
  c === 0x66 ||
  c === 0x6e ||
  c === 0x72 ||
  c === 0x74;

const isSpace = (c: number) => c === SPACE || c === LF || c === CR || c === TAB;

function skipSpace(t: string, i: number): number {
  while (isSpace(t.charCodeAt(i))) i++;
  return i;
}

/** From an opening quote to just past the closing one; -1 if the string is not valid. */
function scanString(t: string, i: number): number {
  for (let n = t.length, c = 0, i2 = i + 1; i2 < n; i2++) {
    c = t.charCodeAt(i2);
    if (c === QUOTE) return i2 + 1;
    if (c < SPACE) return -1;
    if (c === BACKSLASH) {
      c = t.charCodeAt(++i2);
      if (c === 0x75) {
        for (let k = 0; k < 4; k++) if (!isHex(t.charCodeAt(++i2))) return -1;
      } else if (!isEscape(c)) return -1;
    }
  }
  return -1;
}

function scanDigits(t: string, i: number): number {
  if (!isDigit(t.charCodeAt(i))) return -1;
  while (isDigit(t.charCodeAt(++i)));
  return i;
}

/** A number per RFC 8259 (no leading zeros, digits after a dot and an exponent); -1 if not. */
function scanNumber(t: string, i: number): number {
  if (t.charCodeAt(i) === MINUS) i++;
  if (t.charCodeAt(i) === ZERO) i++;
  else if ((i = scanDigits(t, i)) < 0) return -1;
  if (t.charCodeAt(i) === DOT && (i = scanDigits(t, i + 1)) < 0) return -1;
  const e = t.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    const sign = t.charCodeAt(++i);
    if (sign === PLUS || sign === MINUS) i++;
    return scanDigits(t, i);
  }
  return i;
}

/** An object key, its colon and the space after it, up to the value; -1 if not. */
function scanKey(t: string, i: number): number {
  if (t.charCodeAt(i) !== QUOTE || (i = scanString(t, i)) < 0) return -1;
  i = skipSpace(t, i);
  if (t.charCodeAt(i) !== COLON) return -1;
  return skipSpace(t, i + 1);
}

function scanLiteral(t: string, i: number): number {
  const c = t.charCodeAt(i);
  const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : null;
  return word !== null && t.startsWith(word, i) ? i + word.length : -1;
}

/**
 * Whether `text` is exactly one JSON value (RFC 8259, as `JSON.parse` accepts it) nested at most
 * `maxDepth` deep, without building it: a streamed upload's lines are stored as sent, so the accept
 * path only has to know they are valid, which costs a fraction of parsing them.
 */
export function checkJson(text: string, maxDepth: number): JsonCheck {
  const n = text.length;
  // The open containers: true = object, false = array.
  const stack: boolean[] = [];
  let i = skipSpace(text, 0);
  for (;;) {
    // A value starts at i.
    const c = text.charCodeAt(i);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (stack.length >= maxDepth) return 'too_deep';
      const object = c === OPEN_OBJECT;
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        i++;
      } else {
        stack.push(object);
        if (object && (i = scanKey(text, i)) < 0) return 'invalid';
        continue;
      }
    } else {
      i =
        c === QUOTE
          ? scanString(text, i)
          : c === MINUS || isDigit(c)
            ? scanNumber(text, i)
            : scanLiteral(text, i);
      if (i < 0) return 'invalid';
    }
    // After a value: close containers until a comma asks for the next value.
    for (;;) {
      i = skipSpace(text, i);
      if (!stack.length) return i === n ? 'ok' : 'invalid';
      const object = stack[stack.length - 1];
      const next = text.charCodeAt(i);
      if (next === COMMA) {
        i = skipSpace(text, i + 1);
        if (object && (i = scanKey(text, i)) < 0) return 'invalid';
        break;
      }
      if (next !== (object ? CLOSE_OBJECT : CLOSE_ARRAY)) return 'invalid';
      stack.pop();
      i++;
    }
  }
}
