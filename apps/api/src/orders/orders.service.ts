import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import {
  Client,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowHandle,
} from '@temporalio/client';
import type { MessageAccepted, OrderInput, OrderState, OrderStatus, OrderWorkflowInput } from '@order-fulfillment/contracts';
import {
  DEFAULT_ITEMS,
  ORDER_WORKFLOW_TYPE,
  approveOrderUpdate,
  cancelOrderUpdate,
  isTerminalState,
  orderStartOptions,
  orderWorkflowId,
  statusQuery,
  updateAddressUpdate,
} from '@order-fulfillment/contracts';
import { InvalidCursorError, OrderStore } from '@order-fulfillment/db';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import type { AddressDto } from './dto/address.dto';
import type { CreateOrderDto } from './dto/create-order.dto';
import { OrderView, viewFromDatabase, viewFromWorkflow } from './order-view';

export interface OrderCreated {
  orderId: string;
  workflowId: string;
  runId: string;
  state: OrderState;
}

@Injectable()
export class OrdersService {
  /** Logs through pino; within a request every line carries reqId and orderId. */
  private readonly logger = new Logger('Orders');

  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly store: OrderStore,
    private readonly metrics: MetricsService,
  ) {}

  /** Starts OrderWorkflow; an order id that exists (running or closed) is a conflict. */
  async create(dto: CreateOrderDto): Promise<OrderCreated> {
    const order: OrderInput = {
      orderId: dto.orderId,
      paymentId: dto.paymentId,
      items: dto.items?.map((i) => ({ sku: i.sku, qty: i.qty, ...(i.unitPrice !== undefined ? { unitPrice: i.unitPrice } : {}) })) ?? [...DEFAULT_ITEMS],
      address: dto.address ? { ...dto.address } : null,
    };
    if (dto.faults && !this.config.allowFaultInjection) {
      throw new BadRequestException({
        message: 'validation failed',
        errors: [{ field: 'faults', reason: 'fault injection is disabled on this API (ALLOW_FAULT_INJECTION=true enables it)' }],
      });
    }
    const input: OrderWorkflowInput = { order, policy: this.config.orderPolicy, faults: dto.faults ? { ...dto.faults } : null };
    const workflowId = orderWorkflowId(order.orderId);
    if (await this.store.findOrder(order.orderId)) {
      this.logger.warn('order not started: the order id exists');
      throw new ConflictException(`order ${order.orderId} already exists`);
    }
    try {
      const handle = await this.temporal.workflow.start(ORDER_WORKFLOW_TYPE, {
        ...orderStartOptions(input),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
      this.metrics.orderStarted();
      this.logger.log({ workflowId, runId: handle.firstExecutionRunId, faults: input.faults !== null }, 'order started');
      return { orderId: order.orderId, workflowId, runId: handle.firstExecutionRunId, state: 'received' };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        this.logger.warn('order not started: the workflow id exists');
        throw new ConflictException(`order ${order.orderId} already exists`);
      }
      throw err;
    }
  }

  async get(orderId: string): Promise<OrderView> {
    const row = await this.store.findOrder(orderId);
    if (row && isTerminalState(row.state)) return this.fromDatabase(orderId);
    let status: OrderStatus;
    try {
      status = await this.handle(orderId).query(statusQuery);
    } catch (err) {
      if (row) return this.fromDatabase(orderId);
      if (err instanceof WorkflowNotFoundError) throw new NotFoundException(`order ${orderId} not found`);
      throw new ServiceUnavailableException(`order ${orderId}: the workflow could not be queried`);
    }
    // The workflow records a state in the database before it reports it, so an
    // order that just closed is read from the database, like any closed order.
    if (isTerminalState(status.state)) return this.fromDatabase(orderId);
    return viewFromWorkflow(status, row);
  }

  cancel(orderId: string, reason?: string): Promise<MessageAccepted> {
    return this.update(orderId, (h, updateId) => h.executeUpdate(cancelOrderUpdate, { args: [{ reason }], updateId }));
  }

  updateAddress(orderId: string, address: AddressDto): Promise<MessageAccepted> {
    return this.update(orderId, (h, updateId) => h.executeUpdate(updateAddressUpdate, { args: [{ address: { ...address } }], updateId }));
  }

  approve(orderId: string, by?: string): Promise<MessageAccepted> {
    return this.update(orderId, (h, updateId) => h.executeUpdate(approveOrderUpdate, { args: [{ by }], updateId }));
  }

  async events(orderId: string) {
    const events = await this.store.listEvents(orderId);
    if (events.length === 0 && !(await this.exists(orderId))) throw new NotFoundException(`order ${orderId} not found`);
    return events.map((e) => ({ id: Number(e.id), type: e.type, payload: e.payload, ts: e.ts.toISOString() }));
  }

  async list(query: { state?: OrderState; limit: number; cursor?: string }) {
    let page;
    try {
      page = await this.store.listOrders(query);
    } catch (err) {
      if (err instanceof InvalidCursorError) {
        throw new BadRequestException({ message: 'validation failed', errors: [{ field: 'cursor', reason: 'not a cursor returned by this API' }] });
      }
      throw err;
    }
    return {
      orders: page.orders.map((o) => ({
        orderId: o.id,
        state: o.state,
        paymentId: o.paymentId,
        items: o.items,
        address: o.address,
        createdAt: o.createdAt.toISOString(),
        updatedAt: o.updatedAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
    };
  }

  async describe(orderId: string) {
    try {
      const d = await this.handle(orderId).describe();
      const raw = d.raw;
      return {
        workflowId: d.workflowId,
        runId: d.runId,
        type: d.type,
        status: d.status.name,
        taskQueue: d.taskQueue,
        startTime: d.startTime.toISOString(),
        closeTime: d.closeTime?.toISOString() ?? null,
        historyLength: d.historyLength,
        pendingActivities: (raw.pendingActivities ?? []).map((a) => ({
          activityId: a.activityId,
          activityType: a.activityType?.name ?? null,
          state: a.state,
          attempt: a.attempt,
          maximumAttempts: a.maximumAttempts,
          lastFailure: a.lastFailure?.message ?? null,
        })),
        pendingChildren: (raw.pendingChildren ?? []).map((c) => ({ workflowId: c.workflowId, runId: c.runId, type: c.workflowTypeName })),
      };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundException(`order ${orderId} not found`);
      throw err;
    }
  }

  private handle(orderId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(orderWorkflowId(orderId));
  }

  private async exists(orderId: string): Promise<boolean> {
    if (await this.store.findOrder(orderId)) return true;
    try {
      await this.handle(orderId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  private async fromDatabase(orderId: string): Promise<OrderView> {
    const row = await this.store.findOrder(orderId);
    if (!row) throw new NotFoundException(`order ${orderId} not found`);
    const [payment, events] = await Promise.all([this.store.findPayment(row.paymentId), this.store.listEvents(orderId)]);
    return viewFromDatabase(row, payment?.orderId === orderId ? payment : null, events);
  }

  /** Sends an update; a refusal by the workflow's validator is a 409 with its reason. */
  private async update(orderId: string, send: (handle: WorkflowHandle, updateId: string) => Promise<MessageAccepted>): Promise<MessageAccepted> {
    try {
      const accepted = await sendUpdate((updateId) => send(this.handle(orderId), updateId));
      this.logger.log({ state: accepted.state }, 'message accepted by the workflow');
      return accepted;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const reason = (err.cause as Error | undefined)?.message ?? err.message;
        this.logger.log({ reason }, 'message refused by the workflow');
        throw new ConflictException(reason);
      }
      if (err instanceof WorkflowNotFoundError || isClosedError(err)) {
        const row = await this.store.findOrder(orderId);
        if (row) throw new ConflictException(`order ${orderId} is already ${row.state}`);
        throw new NotFoundException(`order ${orderId} not found`);
      }
      if (err instanceof ServiceError) {
        // For example FAILED_PRECONDITION when the workflow task that would take the update
        // failed or timed out: transient, nothing was changed, the caller may retry.
        this.logger.warn({ err: err.message }, 'the workflow could not take the message now');
        throw new ServiceUnavailableException(`order ${orderId}: the workflow could not take the message now; nothing was changed, try again`);
      }
      throw err;
    }
  }
}

/**
 * Sends an update, retrying (with the same update id, so it applies at most
 * once) when Temporal answers FAILED_PRECONDITION: the workflow task that
 * carried it failed for a reason of its own (for example new events arrived
 * while the workflow was completing it), and the update was not applied.
 */
const GRPC_FAILED_PRECONDITION = 9;

export async function sendUpdate<T>(send: (updateId: string) => Promise<T>, attempts = 4): Promise<T> {
  const updateId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(updateId);
    } catch (err) {
      const transient = err instanceof ServiceError && (err.cause as { code?: number } | undefined)?.code === GRPC_FAILED_PRECONDITION;
      if (!transient || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

/** Temporal answers an update to a closed workflow with "workflow execution already completed". */
function isClosedError(err: unknown): boolean {
  return err instanceof Error && /already completed|workflow execution.*(completed|closed)/i.test(err.message);
}
