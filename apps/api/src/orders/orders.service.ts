import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, GatewayTimeoutException, Inject, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import {
  Client,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowHandle,
} from '@temporalio/client';
import type { MessageAccepted, OrderInput, OrderState, OrderStatus, OrderWorkflowInput, RetryMode } from '@order-fulfillment/contracts';
import {
  DEFAULT_ITEMS,
  ORDER_WORKFLOW_TYPE,
  approveOrderUpdate,
  cancelOrderUpdate,
  addressProblems,
  isTerminalState,
  orderProblems,
  orderStartOptions,
  orderWorkflowId,
  problemField,
  retryModeProblems,
  statusQuery,
  updateAddressUpdate,
} from '@order-fulfillment/contracts';
import { InvalidCursorError, OrderStore } from '@order-fulfillment/db';
import { API_CONFIG } from '../config/api-config';
import type { ApiConfig } from '../config/api-config';
import { GRPC, grpcCode, outageError } from '../common/outage';
import { AdmissionService } from '../admission/admission.service';
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
    private readonly admission: AdmissionService,
  ) {}

  /**
   * Starts OrderWorkflow. The id is the idempotency key: the same request again
   * (same orderId and the same body, for example a retry after a lost
   * response) answers 200 with the order it started; the same id with another
   * body is a 409. Concurrent duplicates start one workflow. A new order is
   * started only when admission control admits it (ADR 039); a replay is
   * never refused.
   */
  async create(dto: CreateOrderDto): Promise<OrderCreated & { replayed?: true }> {
    const order: OrderInput = {
      orderId: dto.orderId,
      paymentId: dto.paymentId,
      items: dto.items?.map((i) => ({ sku: i.sku, qty: i.qty, ...(i.unitPrice !== undefined ? { unitPrice: i.unitPrice } : {}) })) ?? [...DEFAULT_ITEMS],
      address: dto.address ? { ...dto.address } : null,
    };
    // Choosing faults or the retry mode per order is chaos testing, behind the same switch.
    const gated = (['faults', 'retryMode'] as const).filter((field) => dto[field] !== undefined && !this.config.allowFaultInjection);
    if (gated.length) {
      throw new BadRequestException({
        message: 'validation failed',
        errors: gated.map((field) => ({ field, reason: 'fault injection is disabled on this API (ALLOW_FAULT_INJECTION=true enables it)' })),
      });
    }
    // The same rules the ValidateOrder activity applies: what the workflow would refuse is refused here.
    const problems = [...orderProblems(order), ...(dto.retryMode !== undefined ? retryModeProblems(dto.retryMode) : [])];
    if (problems.length) throw new BadRequestException({ message: 'validation failed', errors: problems.map((p) => problemField(p)) });
    const policy = dto.retryMode !== undefined ? this.config.orderPolicies[dto.retryMode] : this.config.orderPolicy;
    const input: OrderWorkflowInput = { order, policy, faults: dto.faults ? { ...dto.faults } : null };
    const workflowId = orderWorkflowId(order.orderId);
    // Admission answers for a known order too, without counting or refusing it:
    // a new order costs one database call, and only a known one is looked up.
    const admitted = await this.admission.admit(order.orderId);
    if (admitted !== 'admitted') {
      const row = await this.store.findOrder(order.orderId);
      if (row) return this.replay(input, row, dto.retryMode);
    }
    // Past this line a workflow may be started: only for an admitted order (503 with Retry-After otherwise),
    // or a known one without a row yet (a retried POST; the start below finds its workflow).
    try {
      const handle = await this.rpc(() =>
        this.temporal.workflow.start(ORDER_WORKFLOW_TYPE, {
          ...orderStartOptions(input),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        }),
      );
      this.metrics.orderStarted();
      this.logger.log({ workflowId, runId: handle.firstExecutionRunId, faults: input.faults !== null }, 'order started');
      return { orderId: order.orderId, workflowId, runId: handle.firstExecutionRunId, state: 'received' };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return this.replay(input, await this.store.findOrder(order.orderId), dto.retryMode);
      // Temporal could not be reached at all: nothing was started, so the slot is given back.
      if (admitted === 'admitted' && grpcCode(err) === GRPC.UNAVAILABLE) await this.admission.release(order.orderId).catch(() => undefined);
      throw err;
    }
  }

  /**
   * An order with this id exists: the same input is a replay (200, the order as
   * started), another is a conflict. The input is read from the workflow's
   * start event; once Temporal no longer keeps the workflow, from the row.
   */
  private async replay(
    input: OrderWorkflowInput,
    row: { state: OrderState; paymentId: string; items: unknown; address: unknown } | null,
    retryMode?: RetryMode,
  ): Promise<OrderCreated & { replayed: true }> {
    const { orderId } = input.order;
    const workflowId = orderWorkflowId(orderId);
    const started = await this.startedInput(workflowId);
    // A retry mode asked for must be the one the order runs with; a request that asked for none takes any.
    const same = started
      ? canonical(requestOf(started.input)) === canonical(requestOf(input)) && (retryMode === undefined || started.input.policy.retryMode === retryMode)
      : row !== null && canonical({ paymentId: row.paymentId, items: row.items, address: row.address }) === canonical({ ...requestOf(input), faults: undefined });
    if (!same) {
      this.logger.warn('order not started: the order id exists with another request');
      throw new ConflictException(`order ${orderId} already exists with a different request; use a new orderId for a new order`);
    }
    this.logger.log('order request replayed: the order exists with this same request');
    return { orderId, workflowId, runId: started?.runId ?? '', state: row?.state ?? 'received', replayed: true };
  }

  /** The input the workflow was started with, from its first history event; null once Temporal no longer has it. */
  private async startedInput(workflowId: string): Promise<{ input: OrderWorkflowInput; runId: string } | null> {
    try {
      const history = await this.rpc(() =>
        this.temporal.workflowService.getWorkflowExecutionHistory({
          namespace: this.temporal.options.namespace,
          execution: { workflowId },
          maximumPageSize: 1,
        }),
      );
      const attributes = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
      let payloads = attributes?.input?.payloads ?? [];
      if (!attributes || payloads.length === 0) return null;
      const converter = this.temporal.options.loadedDataConverter;
      for (const codec of [...converter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
      const input = converter.payloadConverter.fromPayload<OrderWorkflowInput>(payloads[0]!);
      return { input, runId: attributes.firstExecutionRunId ?? '' };
    } catch (err) {
      if (grpcCode(err) === GRPC.NOT_FOUND || err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  async get(orderId: string): Promise<OrderView> {
    const row = await this.store.findOrder(orderId);
    if (row && isTerminalState(row.state)) return this.fromDatabase(orderId);
    let status: OrderStatus;
    try {
      status = await this.rpc(() => this.handle(orderId).query(statusQuery));
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
    // The rules the workflow's validator applies (whitespace-only street or city...), answered 400 here.
    const problems = addressProblems(address);
    if (problems.length) throw new BadRequestException({ message: 'validation failed', errors: problems.map((p) => problemField(p, '')) });
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
      const d = await this.rpc(() => this.handle(orderId).describe());
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

  /**
   * Runs Temporal calls under a deadline: with Temporal unreachable the
   * client would otherwise retry for a long time while the caller waits.
   */
  private rpc<T>(call: () => Promise<T>, ms = this.config.temporalTimeoutMs): Promise<T> {
    return this.temporal.withDeadline(Date.now() + ms, call);
  }

  private handle(orderId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(orderWorkflowId(orderId));
  }

  private async exists(orderId: string): Promise<boolean> {
    if (await this.store.findOrder(orderId)) return true;
    try {
      await this.rpc(() => this.handle(orderId).describe());
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

  /**
   * Sends an update; a refusal by the workflow's validator is a 409 with its
   * reason. When Temporal refused it before the workflow saw it, a 503 (nothing
   * was changed, retry); when the answer was lost (timeout, cancelled call, an
   * error after sending), a 504 that says the change may have been applied and
   * how to check.
   */
  private async update(orderId: string, send: (handle: WorkflowHandle, updateId: string) => Promise<MessageAccepted>): Promise<MessageAccepted> {
    try {
      const accepted = await this.rpc(() => sendUpdate((updateId) => send(this.handle(orderId), updateId)), this.config.updateTimeoutMs);
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
        if (row && isTerminalState(row.state)) throw new ConflictException(`order ${orderId} is already ${row.state}`);
        // A closed workflow whose row is not terminal yet: it closed while the message was on its
        // way, and may have taken it first. The outcome is unknown, not a refusal.
        if (row) throw unknownOutcome(orderId);
        throw new NotFoundException(`order ${orderId} not found`);
      }
      throw updateFailure(orderId, err, this.logger);
    }
  }
}

/** What an update that neither succeeded nor was refused by the workflow is answered with. */
export function updateFailure(orderId: string, err: unknown, logger?: Logger): Error {
  const code = grpcCode(err);
  if (err instanceof ServiceError && (code === GRPC.FAILED_PRECONDITION || code === GRPC.RESOURCE_EXHAUSTED)) {
    // Refused by Temporal before the workflow took it (the workflow task that
    // would carry it failed, or a rate limit): nothing was changed.
    logger?.warn({ err: err.message }, 'the workflow could not take the message now');
    return new ServiceUnavailableException(`order ${orderId}: the workflow could not take the message now; nothing was changed, try again`);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || err instanceof ServiceError) {
    logger?.warn({ err: err.message }, 'the outcome of the message is unknown');
    return unknownOutcome(orderId);
  }
  return outageError(err) ?? (err as Error);
}

/** 504: the message may or may not have been applied; says how to find out. */
function unknownOutcome(orderId: string): GatewayTimeoutException {
  return new GatewayTimeoutException({
    message:
      `order ${orderId}: no answer from the workflow in time; the change may or may not have been applied. ` +
      `Check GET /orders/${orderId} (state, address, timeline) before sending it again.`,
    outcome: 'unknown',
    check: `/orders/${orderId}`,
  });
}

/** The part of a start request that the caller chose (not the server's policy). */
function requestOf(input: OrderWorkflowInput) {
  const { paymentId, items, address } = input.order;
  return { paymentId, items, address, faults: input.faults ?? null };
}

/** JSON with sorted keys, so equal values compare equal whatever the key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
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
