import { orderFields } from './sdk-logger';

describe('the SDK\'s log lines about an order', () => {
  it('a workflow line gets orderId and runId', () => {
    expect(orderFields({ workflowId: 'order-o-1', runId: 'r-1', workflowType: 'OrderWorkflow' })).toEqual({ orderId: 'o-1', runId: 'r-1' });
  });

  it('an activity line gets orderId, runId and the activity\'s name (attempt is the SDK\'s own field)', () => {
    expect(orderFields({ workflowId: 'shipping-o-2-1', workflowRunId: 'r-2', activityType: 'DispatchCarrier', attempt: 3 })).toEqual({
      orderId: 'o-2',
      runId: 'r-2',
      activity: 'DispatchCarrier',
    });
  });

  it('a line about no order gets nothing', () => {
    expect(orderFields({ taskQueue: 'orders-tq' })).toEqual({});
  });
});
