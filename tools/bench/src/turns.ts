/**
 * One piece of work at a time, in the order asked for. Two variants whose
 * ladders run side by side each ask for a turn per step: while one's rung
 * runs the other waits, then it takes the next turn, so their rungs alternate
 * and both are measured on the machine as it is at that minute.
 *
 * A turn must not ask for another turn: it would wait for itself.
 */
export class Turns {
  private last: Promise<unknown> = Promise.resolve();

  take<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.last.then(work);
    // The next turn waits for this one to end, however it ends.
    this.last = turn.catch(() => undefined);
    return turn;
  }
}

/**
 * A meeting point for `parties`: each one's call resolves once all have called.
 * The ratio's two ladders meet there once both stacks are up, so their rungs
 * alternate from the first one.
 */
export function rendezvous(parties: number): () => Promise<void> {
  let arrived = 0;
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived >= parties) open();
    return opened;
  };
}
