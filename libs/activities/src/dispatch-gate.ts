/**
 * The shipping child's question to its parent, "may the carrier be
 * dispatched?", asked as the parent's RequestDispatch update (ADR 047).
 *
 * The parent decides in one place: its validator refuses (the order is
 * cancelled, out of budget, or past this attempt), its handler approves and
 * answers with the latest address. The update id is the shipment's, so a
 * request retried after a lost answer, or replayed after the child's workflow
 * task failed, is attached to the decision already made instead of asking
 * again: whatever the timing, one shipment gets one answer.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { DispatchGateActivities } from '@order-fulfillment/contracts';
import { NON_RETRYABLE_ERRORS, dispatchApprovalUpdateId, requestDispatchUpdate } from '@order-fulfillment/contracts';

export function createDispatchGateActivities(): DispatchGateActivities {
  return {
    async RequestDispatch({ parentWorkflowId, shipmentId, attempt }) {
      const parent = Context.current().client.workflow.getHandle(parentWorkflowId);
      try {
        return await parent.executeUpdate(requestDispatchUpdate, { args: [{ attempt }], updateId: dispatchApprovalUpdateId(shipmentId) });
      } catch (err) {
        // A refusal, or a parent that has already ended, is the answer: asking again changes nothing.
        if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
          const why = err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : `${parentWorkflowId} has ended`;
          throw ApplicationFailure.nonRetryable(`dispatch refused for ${shipmentId}: ${why}`, NON_RETRYABLE_ERRORS.dispatchRefused);
        }
        throw err; // unreachable parent, timeout: retried
      }
    },
  };
}
