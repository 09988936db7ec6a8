/**
 * Reading the evidence from a real PostgreSQL (embedded, or a throw-away
 * database on DATABASE_URL's server), schema by the project's migrations
 * (002: the sandbox ledgers and the new order columns), rows written by hand:
 * each invariant must fail on its violating fixture.
 */
import { Client } from 'pg';
import { migrate } from '@order-fulfillment/db';
import { startTestDatabase } from '@order-fulfillment/infra';
import type { TestDatabase } from '@order-fulfillment/infra';
import { checkInvariants, formatReport } from './check';
import { detectSchema } from './load';

jest.setTimeout(90_000);

let database: TestDatabase;
let db: Client;

interface Fixture {
  id: string;
  state: string;
  refundOwed?: boolean;
  payment?: string;
  charges?: number;
  refunded?: boolean;
  /** The gateway voided the payment before any charge. */
  voided?: boolean;
  shipments?: number;
  transitions: string[];
  events?: string[];
}

async function insert(f: Fixture): Promise<void> {
  const paymentId = `pmt-${f.id}`;
  await db.query(`INSERT INTO orders (id, state, address, items, payment_id, refund_owed) VALUES ($1, $2, NULL, '[{"sku":"ABC","qty":1}]', $3, $4)`, [
    f.id,
    f.state,
    paymentId,
    f.refundOwed ?? false,
  ]);
  if (f.payment) await db.query(`INSERT INTO payments (payment_id, order_id, status, amount) VALUES ($1, $2, $3, 10)`, [paymentId, f.id, f.payment]);
  for (let n = 0; n < (f.charges ?? 0); n++) {
    await db.query(`INSERT INTO sandbox.gateway_operations VALUES ($1, 'charge', $2, $3, 10)`, [n === 0 ? paymentId : `${paymentId}-${n}`, n === 0 ? paymentId : `${paymentId}-${n}`, f.id]);
  }
  if (f.voided) await db.query(`INSERT INTO sandbox.gateway_operations VALUES ($1, 'void', $2, $3, 10)`, [`refund:${paymentId}`, paymentId, f.id]);
  if (f.refunded) await db.query(`INSERT INTO sandbox.gateway_operations VALUES ($1, 'refund', $2, $3, 10)`, [`refund:${paymentId}`, paymentId, f.id]);
  for (let n = 1; n <= (f.shipments ?? 0); n++) {
    await db.query(`INSERT INTO sandbox.carrier_shipments (idempotency_key, order_id, carrier_ref) VALUES ($1, $2, $3)`, [`shipping-${f.id}-${n}`, f.id, `trk-${n}`]);
  }
  for (const state of f.transitions) {
    await db.query(`INSERT INTO events (order_id, type, payload, dedupe_key) VALUES ($1, 'transition', $2, $3)`, [f.id, JSON.stringify({ state }), `state:${state}`]);
  }
  for (const [i, type] of (f.events ?? []).entries()) {
    await db.query(`INSERT INTO events (order_id, type, payload, dedupe_key) VALUES ($1, $2, $3, $4)`, [f.id, type, JSON.stringify({ paymentId }), `${type}:${i}`]);
  }
}

const PATH = ['received', 'validated', 'in_review', 'paid', 'shipping'];

const FIXTURES: Fixture[] = [
  // Well-behaved.
  { id: 'good-completed', state: 'completed', payment: 'charged', charges: 1, shipments: 1, transitions: [...PATH, 'completed'], events: ['payment_charged', 'carrier_dispatched', 'order_shipped'] },
  { id: 'good-cancelled', state: 'cancelled', payment: 'refunded', charges: 1, refunded: true, transitions: ['received', 'validated', 'in_review', 'paid', 'cancelled'], events: ['payment_charged', 'payment_refunded'] },
  { id: 'good-voided', state: 'failed', payment: 'voided', voided: true, transitions: ['received', 'validated', 'in_review', 'failed'] },
  // A charge that landed after the void decision, then reversed (refunded at the gateway).
  { id: 'good-reversed', state: 'cancelled', payment: 'voided', charges: 1, refunded: true, transitions: ['received', 'validated', 'in_review', 'cancelled'], events: ['charge_reversed'] },
  // Each breaks one invariant.
  { id: 'double-charge', state: 'completed', payment: 'charged', charges: 2, shipments: 1, transitions: [...PATH, 'completed'], events: ['payment_charged', 'carrier_dispatched', 'order_shipped'] },
  { id: 'completed-refunded', state: 'completed', payment: 'refunded', charges: 1, refunded: true, shipments: 1, transitions: [...PATH, 'completed'], events: ['carrier_dispatched', 'order_shipped'] },
  { id: 'failed-shipped', state: 'failed', payment: 'refunded', charges: 1, refunded: true, shipments: 1, transitions: [...PATH, 'failed'], events: ['carrier_dispatched'] },
  { id: 'cancelled-owed', state: 'cancelled', payment: 'charged', charges: 1, refundOwed: true, transitions: ['received', 'validated', 'in_review', 'paid', 'cancelled'] },
  { id: 'late-charge', state: 'cancelled', payment: 'voided', charges: 1, transitions: ['received', 'validated', 'in_review', 'cancelled'] },
  { id: 'stuck', state: 'paid', payment: 'charged', charges: 1, transitions: ['received', 'validated', 'in_review', 'paid'] },
];

beforeAll(async () => {
  database = await startTestDatabase('invariants');
  await migrate(database.url);
  db = new Client({ connectionString: database.url });
  await db.connect();
  for (const f of FIXTURES) await insert(f);
});

afterAll(async () => {
  await db?.end();
  await database?.stop();
});

const ids = FIXTURES.map((f) => f.id);

describe('the checker on the database', () => {
  it('finds the ledgers and the new columns', async () => {
    expect(await detectSchema(db)).toEqual({ gatewayLedger: true, carrierLedger: true, refundOwedColumn: true, lateColumn: true });
  });

  it('passes the well-behaved orders and names each violator under the invariant it breaks', async () => {
    const { report } = await checkInvariants({ db, temporal: null, orderIds: ids });
    const byInvariant = Object.fromEntries(report.invariants.map((i) => [i.name, Object.fromEntries(i.violations.map((v) => [v.orderId, v.why.join('; ')]))]));
    expect(byInvariant).toEqual({
      'single-charge': {
        'double-charge': 'gateway charged 2 times (pmt-double-charge, pmt-double-charge-1); gateway charge pmt-double-charge-1 stands with no payments row',
        'late-charge': 'gateway charge pmt-late-charge stands (not refunded) but the payment is voided',
      },
      'completed-paid-shipped': {
        'completed-refunded': 'completed but the gateway charge was refunded; completed but the payment is refunded',
      },
      'not-completed-refunded': {
        'failed-shipped': 'failed but shipped: 1 carrier shipment (shipping-failed-shipped-1); failed but 1 carrier_dispatched event',
        'cancelled-owed': 'cancelled but gateway charge pmt-cancelled-owed was never refunded; cancelled but payment pmt-cancelled-owed is still charged; cancelled with refund_owed = true after settling',
        'late-charge': 'cancelled but gateway charge pmt-late-charge was never refunded',
      },
      'terminal-and-consistent': {
        stuck: 'state paid is not terminal',
      },
    });
    expect(report.doubleCharged).toEqual(['double-charge']);
    expect(report.shippedUnpaid.sort()).toEqual(['completed-refunded', 'failed-shipped']);
    expect(report.invariants.map((i) => i.orders)).toEqual([10, 3, 6, 10]);
  });

  it('counts an order it has no row for as not terminal', async () => {
    const { report } = await checkInvariants({ db, temporal: null, orderIds: ['good-completed', 'never-written'] });
    expect(report.invariants.find((i) => i.name === 'terminal-and-consistent')?.violations).toEqual([{ orderId: 'never-written', why: ['no orders row'] }]);
  });

  it('degrades clearly without the sandbox ledgers: says so, and still finds what the bookkeeping shows', async () => {
    await db.query(`ALTER SCHEMA sandbox RENAME TO sandbox_hidden`);
    try {
      const { report } = await checkInvariants({ db, temporal: null, orderIds: ids });
      const text = formatReport(report);
      expect(text).toContain('note: sandbox ledger missing (sandbox.gateway_operations, sandbox.carrier_shipments), checking bookkeeping only');
      expect(text).toContain('invariant: not-completed-refunded orders: 6 violations: 2');
      expect(text).toContain('  failed-shipped: failed but 1 carrier_dispatched event');
      // The second charge of double-charge and the late charge are visible only in the ledger.
      expect(text).toContain('invariant: single-charge orders: 10 violations: 0');
    } finally {
      await db.query(`ALTER SCHEMA sandbox_hidden RENAME TO sandbox`);
    }
  });
});
