import { reasonCode } from './metrics';
import { searchAttributeSpecs } from './search-attributes';
import { orderIdOfWorkflowId, orderWorkflowId, shippingWorkflowId } from './temporal';

describe('observability names', () => {
  it('a finished order\'s reason tag is a bounded code, never free text', () => {
    expect(reasonCode('completed', null)).toBe('none');
    expect(reasonCode('cancelled', 'the customer wrote: "no thanks!"')).toBe('cancelled');
    expect(reasonCode('failed', 'invalid_order: items: at least one item')).toBe('invalid_order');
    expect(reasonCode('failed', 'deadline_exceeded')).toBe('deadline_exceeded');
    expect(reasonCode('failed', null)).toBe('unknown');
  });

  it('the order id comes back out of the order\'s and the shipment\'s workflow ids, and only those', () => {
    expect(orderIdOfWorkflowId(orderWorkflowId('o-1-2'))).toBe('o-1-2');
    expect(orderIdOfWorkflowId(shippingWorkflowId('o-1-2', 3))).toBe('o-1-2');
    expect(orderIdOfWorkflowId('temporal-sys-worker')).toBeNull();
  });

  it('registers the four search attributes with the dev server\'s type names', () => {
    expect(searchAttributeSpecs()).toEqual(['OrderState=Keyword', 'OrderReason=Keyword', 'PaymentStatus=Keyword', 'ShippingAttempt=Int']);
  });
});
