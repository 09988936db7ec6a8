import type { Address, FaultPlan, OrderInput, OrderItem } from './order';
import type { OrderPolicy } from './policy';

export interface OrderWorkflowInput {
  order: OrderInput;
  policy: OrderPolicy;
  /** Chaos testing: fault plan for this order's external calls. */
  faults?: FaultPlan | null;
}

export interface ShippingWorkflowInput {
  orderId: string;
  attempt: number;
  items: OrderItem[];
  /** The address when the child started; the parent sends the latest one with DispatchApproved. */
  address: Address | null;
  policy: OrderPolicy;
  /** Epoch ms when the parent's budget ends (deadline retry mode), else null. */
  budgetEndsAt: number | null;
  faults?: FaultPlan | null;
}

export interface ShippingResult {
  shipmentId: string;
  packageId: string;
  carrierRef: string;
  /** The address the carrier was dispatched to. */
  address: Address | null;
  /** Attempts made per shipping activity, for the parent's status. */
  attempts: Record<string, number>;
}
