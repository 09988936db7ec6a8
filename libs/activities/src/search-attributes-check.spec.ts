/**
 * The order worker refuses to start against a namespace that lacks the
 * orders' search attributes (ADR 043): checked on real Temporal dev servers,
 * one without them and one with them.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ORDER_SEARCH_ATTRIBUTE_KEYS } from '@order-fulfillment/contracts';
import { temporalCliForTests } from '@order-fulfillment/infra';
import { requireSearchAttributes } from './worker';

jest.setTimeout(120_000);

const names = ORDER_SEARCH_ATTRIBUTE_KEYS.map((key) => key.name);
const server = (withAttributes: boolean) =>
  TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliForTests() },
      ip: '127.0.0.1',
      ...(withAttributes ? { searchAttributes: ORDER_SEARCH_ATTRIBUTE_KEYS } : {}),
    },
  });

describe('the search attributes check', () => {
  it('refuses a namespace without them, naming each missing one and what to run', async () => {
    const env = await server(false);
    try {
      await expect(requireSearchAttributes(env.nativeConnection, 'default', names)).rejects.toThrow(
        /search attributes missing in namespace "default": OrderState, OrderReason, PaymentStatus, ShippingAttempt; register them first \(temporal operator search-attribute create/,
      );
    } finally {
      await env.teardown();
    }
  });

  it('accepts a namespace that has them', async () => {
    const env = await server(true);
    try {
      await expect(requireSearchAttributes(env.nativeConnection, 'default', names)).resolves.toBeUndefined();
    } finally {
      await env.teardown();
    }
  });
});
