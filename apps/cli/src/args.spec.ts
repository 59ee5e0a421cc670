import { describe, expect, it } from 'vitest';
import { intOption, parseInvocation, UsageError } from './args';

describe('parseInvocation', () => {
  it('finds the command, its arguments and options in any order', () => {
    expect(
      parseInvocation(['--url', 'http://x', 'bulk', 'submit', 'a.csv', '--operation', 'op', '-w']),
    ).toEqual({
      command: 'bulk submit',
      args: ['a.csv'],
      options: { url: 'http://x', operation: 'op', wait: true },
    });
    expect(parseInvocation(['orders', 'list', '--limit', '5']).command).toBe('orders list');
  });

  it('lets --help and --version through without a command', () => {
    expect(parseInvocation(['--help']).options.help).toBe(true);
    expect(parseInvocation(['-v']).options.version).toBe(true);
    expect(parseInvocation([]).command).toBeUndefined();
  });

  it.each([
    [['bulk', 'frob', 'x'], 'Unknown command: bulk frob'],
    [['bulk', 'status'], 'bulk status needs <job-id>'],
    [['bulk', 'status', 'a', 'b'], 'bulk status needs <job-id> (got 2 arguments)'],
    [['orders', 'list', 'x'], 'orders list takes no arguments'],
    [['orders', 'list', '--wait'], 'orders list does not take --wait'],
    [['orders', 'list', '--nope'], "Unknown option '--nope'"],
    [['bulk', 'status', 'j', '--out'], "Option '--out <value>' argument missing"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseInvocation(argv)).toThrow(UsageError);
    expect(() => parseInvocation(argv)).toThrow(message);
  });

  it('validates whole-number options', () => {
    expect(intOption({ limit: '10' }, 'limit')).toBe(10);
    expect(intOption({}, 'limit')).toBeUndefined();
    for (const bad of ['0', '-1', '1.5', 'ten', '101']) {
      expect(() => intOption({ limit: bad }, 'limit', 100)).toThrow(UsageError);
    }
  });
});
