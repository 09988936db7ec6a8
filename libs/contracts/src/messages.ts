/**
 * Signals, updates and queries, defined once and shared by the workflows that
 * handle them and the clients that send them.
 *
 * CancelOrder, UpdateAddress and ApproveOrder exist twice: as fire-and-forget
 * signals (the names users see in the Temporal UI) and as updates whose
 * validators tell the caller at once whether the change was accepted.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Address, OrderState, OrderStatus } from './order';

export interface CancelRequest {
  reason?: string;
}
export interface ApproveRequest {
  by?: string;
}
export interface AddressUpdate {
  address: Address;
}
/** The answer to an accepted update. */
export interface MessageAccepted {
  accepted: true;
  state: OrderState;
}

export const cancelOrderSignal = defineSignal<[CancelRequest]>('CancelOrder');
export const updateAddressSignal = defineSignal<[AddressUpdate]>('UpdateAddress');
export const approveOrderSignal = defineSignal<[ApproveRequest]>('ApproveOrder');

export const cancelOrderUpdate = defineUpdate<MessageAccepted, [CancelRequest]>('cancelOrder');
export const updateAddressUpdate = defineUpdate<MessageAccepted, [AddressUpdate]>('updateAddress');
export const approveOrderUpdate = defineUpdate<MessageAccepted, [ApproveRequest]>('approveOrder');

export const statusQuery = defineQuery<OrderStatus>('status');

// --- parent <-> child (ShippingWorkflow): dispatch approval --------------------------
/**
 * Child -> parent, as an update: the package is ready; may the carrier be
 * dispatched? The parent's answer (its validator refuses, its handler approves
 * with the latest address) is the dispatch decision. Sent by the child's
 * RequestDispatch activity under a deterministic update id, so a retried or
 * replayed request gets the answer already given (ADR 047).
 */
export interface DispatchApprovalRequest {
  attempt: number;
}
export const requestDispatchUpdate = defineUpdate<DispatchApproved, [DispatchApprovalRequest]>('RequestDispatch');
/** One decision per shipment: every request for it carries this update id. */
export const dispatchApprovalUpdateId = (shipmentId: string): string => `dispatch-approval:${shipmentId}`;

// Children started before ADR 047 ask by signal (ReadyToDispatch) and wait for
// DispatchApproved; the parent still answers them.
/** Child -> parent: the package is ready; may the carrier be dispatched? */
export interface ReadyToDispatch {
  attempt: number;
}
/** Parent -> child: dispatch now, to this (latest) address. */
export interface DispatchApproved {
  address: Address | null;
}
/** Child -> parent: dispatch failed for good on this attempt. */
export interface DispatchFailed {
  attempt: number;
  reason: string;
}

export const readyToDispatchSignal = defineSignal<[ReadyToDispatch]>('ReadyToDispatch');
export const dispatchApprovedSignal = defineSignal<[DispatchApproved]>('DispatchApproved');
export const dispatchFailedSignal = defineSignal<[DispatchFailed]>('DispatchFailed');

/** Reasons a message is refused; the API maps them to 409. */
export const REFUSALS = {
  alreadyDispatched: 'already dispatched',
  alreadyFinished: 'order already finished',
  notInReview: 'order is not in review',
} as const;
