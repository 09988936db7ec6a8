import { ALL_FAULTS, parseChaosArgs } from './args';

describe('parseChaosArgs', () => {
  it('runs every fault with the full run’s sizes when given nothing', () => {
    const parsed = parseChaosArgs([]);
    expect(parsed).toMatchObject({ faults: [...ALL_FAULTS], orders: 130, inFlight: 100, rate: 40, deadlineMs: 60_000 });
  });

  it('takes the faults and the numbers it is given', () => {
    expect(
      parseChaosArgs([
        '--faults',
        'postgres-outage,shipping-scale-in',
        '--orders',
        '40',
        '--in-flight',
        '30',
        '--rate',
        '20',
        '--seed',
        '7',
        '--deadline-ms',
        '90000',
      ]),
    ).toEqual({ faults: ['postgres-outage', 'shipping-scale-in'], orders: 40, inFlight: 30, rate: 20, seed: 7, deadlineMs: 90_000 });
  });

  it.each([['--help'], ['-h'], ['--orders', '40', '--help']])('asks for the usage with %s, whatever else is given', (...argv) => {
    expect(parseChaosArgs(argv)).toEqual({ help: true });
  });

  it.each([
    [['--colour', 'red'], 'unknown argument --colour'],
    [['--orders'], '--orders: needs a value'],
    [['--orders', '--rate', '5'], '--orders: needs a value'],
    [['--orders', '0'], '--orders: "0" is not a positive integer'],
    [['--in-flight', '2.5'], '--in-flight: "2.5" is not a positive integer'],
    [['--faults', 'postgres-outage,meteor'], '--faults: unknown fault(s) meteor; known: ' + ALL_FAULTS.join(', ')],
    [['--faults', ','], '--faults: unknown fault(s) (none given); known: ' + ALL_FAULTS.join(', ')],
  ])('refuses %j, naming the flag: %s', (argv, error) => {
    expect(parseChaosArgs(argv)).toEqual({ error });
  });
});
