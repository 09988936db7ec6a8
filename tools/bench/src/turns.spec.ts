import { Turns, rendezvous } from './turns';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Turns (the ratio’s two ladders take turns on the machine)', () => {
  it('runs one piece of work at a time, and two loops asking in turn alternate', async () => {
    const turns = new Turns();
    const log: string[] = [];
    let running = 0;
    const loop = async (name: string, steps: number) => {
      for (let i = 0; i < steps; i++) {
        await turns.take(async () => {
          running++;
          expect(running).toBe(1);
          log.push(`${name}${i}`);
          await tick();
          await tick();
          running--;
        });
      }
    };
    await Promise.all([loop('a', 3), loop('b', 2)]);
    expect(log).toEqual(['a0', 'b0', 'a1', 'b1', 'a2']);
  });

  it('passes on what the work returns or throws, and a failed turn does not hold up the next', async () => {
    const turns = new Turns();
    const failed = turns.take(async () => {
      throw new Error('the stack did not start');
    });
    const next = turns.take(async () => 42);
    await expect(failed).rejects.toThrow('the stack did not start');
    await expect(next).resolves.toBe(42);
  });

  it('a rendezvous lets nobody on before everyone has arrived', async () => {
    const meet = rendezvous(2);
    let through = 0;
    const first = meet().then(() => through++);
    await tick();
    expect(through).toBe(0);
    await Promise.all([first, meet().then(() => through++)]);
    expect(through).toBe(2);
  });
});
