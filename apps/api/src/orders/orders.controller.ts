import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { ID_PATTERN } from '@order-fulfillment/contracts';
import { ErrorResponseDto } from '../common/error-response.dto';
import { DatabaseConnectedGuard, WithoutDatabase } from '../database/database-connected.guard';
import { AddressDto } from './dto/address.dto';
import { CreateOrderDto, ID_RULE } from './dto/create-order.dto';
import { ApproveOrderDto, CancelOrderDto } from './dto/messages.dto';
import { ListOrdersQuery } from './dto/list-orders.dto';
import { MessageAcceptedDto, OrderCreatedDto, OrderPageDto } from './dto/responses.dto';
import { OrderIdPipe } from './order-id.pipe';
import { OrdersService } from './orders.service';

const error = (description: string) => ({ description, type: ErrorResponseDto });
const OrderIdParam = () => ApiParam({ name: 'id', description: `The orderId; ${ID_RULE}.`, schema: { type: 'string', pattern: ID_PATTERN.source }, example: 'order-123' });

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse(error('The request lacks `Authorization: Bearer <key>` or the key is not one of the API\'s keys.'))
@ApiTooManyRequestsResponse(error('Past the per-client rate limit (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS); see Retry-After.'))
@ApiServiceUnavailableResponse(error('A dependency (Temporal, the database, the rate limit store) is unavailable; retry after Retry-After seconds.'))
@Controller('orders')
@UseGuards(DatabaseConnectedGuard)
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @ApiOperation({ summary: 'Start an order (OrderWorkflow order-<orderId>)' })
  @ApiBody({
    type: CreateOrderDto,
    examples: {
      minimal: { summary: 'The seed default basket (one ABC x 1)', value: { orderId: 'order-123', paymentId: 'pmt-123' } },
      full: {
        summary: 'Items and an address',
        value: { orderId: 'order-124', paymentId: 'pmt-124', items: [{ sku: 'ABC', qty: 2, unitPrice: 12.5 }], address: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' } },
      },
    },
  })
  @ApiCreatedResponse({ description: 'The order was started.', type: OrderCreatedDto })
  @ApiOkResponse({ description: 'Replay: an order with this orderId was already started with this same body (a retry after a lost answer); nothing new was started.', type: OrderCreatedDto })
  @ApiBadRequestResponse(error('A field is missing or invalid (each is named with its reason), an unknown field, a total over the cap, malformed JSON, or JSON nested too deep.'))
  @ApiConflictResponse(error('An order with this orderId exists, started with a different body.'))
  @ApiPayloadTooLargeResponse(error('The body is larger than BODY_LIMIT.'))
  @ApiUnsupportedMediaTypeResponse(error('The body is not sent as application/json.'))
  @ApiServiceUnavailableResponse({
    ...error(
      'Nothing was started. Either the system is at capacity (admission control, ADR 039: `reason: "at_capacity"`, the limit and orders in flight in `message`) ' +
        'or a dependency (Temporal, the database, the rate limit store) is unavailable. Send the same request (same orderId) again after Retry-After seconds.',
    ),
    headers: { 'Retry-After': { description: 'Seconds to wait before sending the same request again.', schema: { type: 'integer', minimum: 1 } } },
  })
  async create(@Body() dto: CreateOrderDto, @Res({ passthrough: true }) res: { status(code: number): unknown }) {
    const { replayed, ...created } = await this.orders.create(dto);
    if (replayed) res.status(200);
    return created;
  }

  @Get()
  @ApiOperation({ summary: 'List orders, newest first, by state, cursor-paginated (from the database)' })
  @ApiOkResponse({ type: OrderPageDto })
  @ApiBadRequestResponse(error('Unknown state, limit outside 1..100, or a cursor this API did not return.'))
  list(@Query() query: ListOrdersQuery) {
    return this.orders.list({ state: query.state, limit: query.limit ?? 20, cursor: query.cursor });
  }

  @Get(':id')
  @OrderIdParam()
  @ApiOperation({ summary: 'The order: state, step, payment, shipping, attempts, timeline, deadline' })
  @ApiOkResponse({ description: 'Live from the workflow while it runs (`source: "workflow"`); from the database once closed (`source: "database"`); same shape.' })
  @ApiBadRequestResponse(error('The id is not a valid order id.'))
  @ApiNotFoundResponse(error('No such order.'))
  @ApiServiceUnavailableResponse(error('The workflow could not be queried and the order has no row yet.'))
  get(@Param('id', OrderIdPipe) id: string) {
    return this.orders.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @OrderIdParam()
  @ApiOperation({ summary: 'Cancel the order (refunds if already charged); refused once dispatched' })
  @ApiOkResponse({ description: 'Accepted.', type: MessageAcceptedDto })
  @ApiBadRequestResponse(error('Bad id or body.'))
  @ApiConflictResponse(error('Refused, with the reason ("already dispatched", "order already finished").'))
  @ApiNotFoundResponse(error('No such order.'))
  @ApiServiceUnavailableResponse(error('The workflow could not take the message now (transient); nothing was changed.'))
  @ApiGatewayTimeoutResponse(error('No answer in time: the change may or may not have been applied (`outcome: "unknown"`); check GET /orders/{id} before sending it again.'))
  cancel(@Param('id', OrderIdPipe) id: string, @Body() dto: CancelOrderDto) {
    return this.orders.cancel(id, dto.reason);
  }

  @Put(':id/address')
  @OrderIdParam()
  @ApiOperation({ summary: 'Change the shipping address; refused once dispatched' })
  @ApiOkResponse({ description: 'Accepted and persisted; the dispatch will use it.', type: MessageAcceptedDto })
  @ApiBadRequestResponse(error('Bad id or address (each bad field is named).'))
  @ApiConflictResponse(error('Refused, with the reason ("already dispatched", "order already finished").'))
  @ApiNotFoundResponse(error('No such order.'))
  @ApiServiceUnavailableResponse(error('The workflow could not take the message now (transient); nothing was changed.'))
  @ApiGatewayTimeoutResponse(error('No answer in time: the change may or may not have been applied (`outcome: "unknown"`); check GET /orders/{id} before sending it again.'))
  updateAddress(@Param('id', OrderIdPipe) id: string, @Body() dto: AddressDto) {
    return this.orders.updateAddress(id, dto);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @OrderIdParam()
  @ApiOperation({ summary: 'Approve the order, ending the manual review early (accepted before review too)' })
  @ApiOkResponse({ description: 'Accepted.', type: MessageAcceptedDto })
  @ApiBadRequestResponse(error('Bad id or body.'))
  @ApiConflictResponse(error('Refused: "order is not in review" (already approved or paid) or "order already finished".'))
  @ApiNotFoundResponse(error('No such order.'))
  @ApiServiceUnavailableResponse(error('The workflow could not take the message now (transient); nothing was changed.'))
  @ApiGatewayTimeoutResponse(error('No answer in time: the change may or may not have been applied (`outcome: "unknown"`); check GET /orders/{id} before sending it again.'))
  approve(@Param('id', OrderIdPipe) id: string, @Body() dto: ApproveOrderDto) {
    return this.orders.approve(id, dto.by);
  }

  @Get(':id/events')
  @OrderIdParam()
  @ApiOperation({ summary: 'The audit trail of the order: transitions, retry-worthy errors, messages, compensations' })
  @ApiOkResponse({ description: 'Oldest first: `[{ id, type, payload, ts }]`.' })
  @ApiBadRequestResponse(error('The id is not a valid order id.'))
  @ApiNotFoundResponse(error('No such order.'))
  events(@Param('id', OrderIdPipe) id: string) {
    return this.orders.events(id);
  }

  @Get(':id/describe')
  @WithoutDatabase()
  @OrderIdParam()
  @ApiOperation({ summary: 'Temporal view: execution status, pending activities, children, history length' })
  @ApiOkResponse({ description: '`{ workflowId, runId, status, historyLength, pendingActivities[], pendingChildren[], ... }`.' })
  @ApiBadRequestResponse(error('The id is not a valid order id.'))
  @ApiNotFoundResponse(error('No such order.'))
  describe(@Param('id', OrderIdPipe) id: string) {
    return this.orders.describe(id);
  }
}
