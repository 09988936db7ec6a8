/** What accepted messages promised, on hand-built driven orders and outcomes. */
import type { DrivenOrder, SentMessage } from './drive';
import { formatMessageChecks, judgeMessages, sameAddress } from './messages';
import type { OrderOutcome } from './messages';
import { planOrder } from './plan';
import { seededRandom } from './random';

const HOME = { street: '1 Home St', city: 'Springfield' };
const NEW = { street: '2 New Rd', city: 'Riverton', postalCode: '12345' };

const message = (kind: SentMessage['kind'], accepted: boolean, extra: Partial<SentMessage> = {}): SentMessage => ({
  kind,
  target: 'review',
  phaseBefore: 'review',
  phaseAtSend: 'review',
  landed: 'review',
  nearDeadline: false,
  msToDeadline: 5_000,
  httpStatus: accepted ? 200 : 409,
  accepted,
  refusal: accepted ? null : 'already dispatched',
  sentAt: '',
  ...extra,
});

function driven(orderId: string, messages: SentMessage[]): DrivenOrder {
  const plan = { ...planOrder(seededRandom(1), orderId), address: HOME, messages: [] };
  return { plan, postStatus: 201, postError: null, accepted: true, messages, skipped: [] };
}

const outcome = (orderId: string, state: string, address: OrderOutcome['address'], dispatchedTo: OrderOutcome['dispatchedTo']): [string, OrderOutcome] => [
  orderId,
  { orderId, state, address, dispatchedTo },
];

describe('message checks', () => {
  it('pass when accepted cancels ended cancelled and the goods went to the latest accepted address', () => {
    const checks = judgeMessages(
      [driven('c', [message('cancel', true)]), driven('a', [message('address', true, { address: NEW }), message('cancel', false)]), driven('none', [])],
      new Map([outcome('c', 'cancelled', HOME, []), outcome('a', 'completed', NEW, [NEW]), outcome('none', 'completed', HOME, [HOME])]),
    );
    expect(checks.map((c) => [c.name, c.orders, c.violations.length])).toEqual([
      ['accepted-cancel-ends-cancelled', 1, 0],
      ['dispatch-uses-latest-address', 3, 0],
    ]);
  });

  it('fail when an accepted cancel did not end the order cancelled', () => {
    const [cancel] = judgeMessages([driven('x', [message('cancel', true, { landed: 'ready_to_dispatch' })])], new Map([outcome('x', 'completed', HOME, [HOME])]));
    expect(cancel?.violations).toEqual([{ orderId: 'x', why: ['cancel accepted (sent in ready_to_dispatch) but the order ended completed'] }]);
  });

  it('fail when the goods or the stored address are not the latest accepted one', () => {
    const checks = judgeMessages(
      [driven('y', [message('address', true, { address: NEW })])],
      new Map([outcome('y', 'completed', HOME, [HOME])]),
    );
    expect(formatMessageChecks(checks).split('\n')).toEqual([
      'check: accepted-cancel-ends-cancelled orders: 0 violations: 0',
      'check: dispatch-uses-latest-address orders: 1 violations: 1',
      '  y: shipped to 1 Home St, Springfield, the latest accepted address is 2 New Rd, Riverton; orders.address is 1 Home St, Springfield, the latest accepted address is 2 New Rd, Riverton',
    ]);
  });

  it('do not judge an address whose update had no clear answer', () => {
    const [, address] = judgeMessages([driven('z', [message('address', false, { httpStatus: 0, address: NEW })])], new Map([outcome('z', 'completed', NEW, [NEW])]));
    expect(address?.orders).toBe(0);
  });

  it('compare addresses on their fields', () => {
    expect(sameAddress({ street: 'a', city: 'b' }, { city: 'b', street: 'a' })).toBe(true);
    expect(sameAddress({ street: 'a', city: 'b', postalCode: '1' }, { street: 'a', city: 'b' })).toBe(false);
    expect(sameAddress(null, null)).toBe(true);
  });
});
