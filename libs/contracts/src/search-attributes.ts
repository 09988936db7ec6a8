/**
 * The custom search attributes an order carries in Temporal (ADR 043), so the
 * Temporal UI and `temporal workflow list --query "OrderState='failed'"` find
 * orders by what happened to them, not only by workflow id. Every Temporal
 * server the workers use must have them registered before an order upserts
 * them: the dev stack and the workflow tests do it at start-up, a cluster with
 * `temporal operator search-attribute create` (README, Observability).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributePair } from '@temporalio/common';

export const ORDER_SEARCH_ATTRIBUTES = {
  /** The order's state (received, validated, in_review, paid, shipping, completed, failed, cancelled). */
  OrderState: defineSearchAttributeKey('OrderState', SearchAttributeType.KEYWORD),
  /** Why a failed or cancelled order ended (deadline_exceeded, payment_failed, cancelled, ...). */
  OrderReason: defineSearchAttributeKey('OrderReason', SearchAttributeType.KEYWORD),
  /** pending, charged, refunded, voided. */
  PaymentStatus: defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD),
  /** The shipping attempt under way or last made (0 before shipping). */
  ShippingAttempt: defineSearchAttributeKey('ShippingAttempt', SearchAttributeType.INT),
} as const;

/** What every order starts with (the API starts orders with them: `orderStartOptions`, ADR 052). */
export function initialOrderSearchAttributes(): SearchAttributePair[] {
  return [
    { key: ORDER_SEARCH_ATTRIBUTES.OrderState, value: 'received' },
    { key: ORDER_SEARCH_ATTRIBUTES.PaymentStatus, value: 'pending' },
    { key: ORDER_SEARCH_ATTRIBUTES.ShippingAttempt, value: 0 },
  ];
}

/** The keys as a list, for servers that register them (TestWorkflowEnvironment.createLocal). */
export const ORDER_SEARCH_ATTRIBUTE_KEYS = Object.values(ORDER_SEARCH_ATTRIBUTES);

const CLI_TYPES: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };

/** `Name=Type` for each, as `temporal server start-dev --search-attribute` takes them. */
export function searchAttributeSpecs(): string[] {
  return ORDER_SEARCH_ATTRIBUTE_KEYS.map((key) => `${key.name}=${CLI_TYPES[key.type] ?? key.type}`);
}
