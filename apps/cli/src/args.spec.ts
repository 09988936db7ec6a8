import { UsageError, findVerb, parseCommand } from './args';
import { VERBS } from './cli';
import { parseItem } from './commands/orders';
import { EXIT, exitCodeForStatus } from './exit-codes';

const specs = new Map(VERBS.map((v) => [v.name, v]));

describe('the command line', () => {
  it('finds the verb after global options, skipping their values', () => {
    expect(findVerb(['--api', 'http://x', '--json', 'status', 'o1'])).toEqual({ verb: 'status', rest: ['--api', 'http://x', '--json', 'o1'] });
    expect(findVerb(['--json'])).toEqual({ verb: null, rest: ['--json'] });
  });

  it('takes global options before or after the verb', () => {
    const a = parseCommand(['--api', 'http://h:1', 'status', 'o1', '--json'], specs);
    expect(a).toEqual({ verb: 'status', values: { api: 'http://h:1', json: true }, positionals: ['o1'] });
  });

  it('collects a repeated --item', () => {
    const p = parseCommand(['start-workflow', 'o', 'p', '--item', 'A:1', '--item', 'B:2'], specs);
    expect(p.values['item']).toEqual(['A:1', 'B:2']);
  });

  it('lets --help through without the positionals', () => {
    expect(parseCommand(['start-workflow', '--help'], specs).values['help']).toBe(true);
  });

  it.each([
    [['status'], 'missing <orderId>'],
    [['status', 'a', 'b'], 'unexpected argument "b"'],
    [['statsu', 'a'], 'unknown command "statsu"; did you mean "status"?'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['list', '--limit'], "option '--limit <value>' argument missing"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommand(argv, specs)).toThrow(UsageError);
    expect(() => parseCommand(argv, specs)).toThrow(message);
  });

  it('reads items as SKU[:QTY[:PRICE]]', () => {
    expect(parseItem('ABC')).toEqual({ sku: 'ABC', qty: 1 });
    expect(parseItem('ABC:3')).toEqual({ sku: 'ABC', qty: 3 });
    expect(parseItem('ABC:3:9.99')).toEqual({ sku: 'ABC', qty: 3, unitPrice: 9.99 });
    for (const bad of ['', ':1', 'A:0', 'A:-1', 'A:1.5', 'A:x', 'A:1:', 'A:1:-2', 'A:1:2:3']) expect(() => parseItem(bad)).toThrow(UsageError);
  });
});

describe('exit codes', () => {
  it('map API statuses: 400 usage, 404 not found, 409 conflict, anything else failure', () => {
    expect(exitCodeForStatus(400)).toBe(EXIT.usage);
    expect(exitCodeForStatus(404)).toBe(EXIT.notFound);
    expect(exitCodeForStatus(409)).toBe(EXIT.conflict);
    for (const status of [401, 403, 500, 502, 503]) expect(exitCodeForStatus(status)).toBe(EXIT.failure);
    expect([EXIT.ok, EXIT.failure, EXIT.usage, EXIT.notFound, EXIT.conflict]).toEqual([0, 1, 2, 3, 4]);
  });
});
