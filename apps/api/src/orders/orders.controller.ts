import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiBadRequestResponse } from '@nestjs/swagger';
import { AddressDto } from './dto/address.dto';
import { CreateOrderDto } from './dto/create-order.dto';
import { ApproveOrderDto, CancelOrderDto } from './dto/messages.dto';
import { ListOrdersQuery } from './dto/list-orders.dto';
import { OrderIdPipe } from './order-id.pipe';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @ApiOperation({ summary: 'Start an order (OrderWorkflow order-<orderId>)' })
  @ApiCreatedResponse({ description: 'The order was started.' })
  @ApiBadRequestResponse({ description: 'A field is missing or invalid; the response names it.' })
  @ApiConflictResponse({ description: 'An order with this orderId exists.' })
  create(@Body() dto: CreateOrderDto) {
    return this.orders.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List orders, newest first, by state, cursor-paginated' })
  list(@Query() query: ListOrdersQuery) {
    return this.orders.list({ state: query.state, limit: query.limit ?? 20, cursor: query.cursor });
  }

  @Get(':id')
  @ApiOperation({ summary: 'The order: state, step, payment, shipping, attempts, timeline, deadline' })
  @ApiOkResponse({ description: 'Live from the workflow while it runs; from the database once closed.' })
  @ApiNotFoundResponse({ description: 'No such order.' })
  get(@Param('id', OrderIdPipe) id: string) {
    return this.orders.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the order (refunds if already charged); refused once dispatched' })
  @ApiOkResponse({ description: 'Accepted.' })
  @ApiConflictResponse({ description: 'Refused, with the reason (for example "already dispatched").' })
  @ApiNotFoundResponse({ description: 'No such order.' })
  cancel(@Param('id', OrderIdPipe) id: string, @Body() dto: CancelOrderDto) {
    return this.orders.cancel(id, dto.reason);
  }

  @Put(':id/address')
  @ApiOperation({ summary: 'Change the shipping address; refused once dispatched' })
  @ApiOkResponse({ description: 'Accepted and persisted; the dispatch will use it.' })
  @ApiConflictResponse({ description: 'Refused, with the reason.' })
  @ApiNotFoundResponse({ description: 'No such order.' })
  updateAddress(@Param('id', OrderIdPipe) id: string, @Body() dto: AddressDto) {
    return this.orders.updateAddress(id, dto);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve the order, ending the manual review early' })
  @ApiOkResponse({ description: 'Accepted.' })
  @ApiConflictResponse({ description: 'Refused: the order is not in review.' })
  @ApiNotFoundResponse({ description: 'No such order.' })
  approve(@Param('id', OrderIdPipe) id: string, @Body() dto: ApproveOrderDto) {
    return this.orders.approve(id, dto.by);
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'The audit trail of the order' })
  @ApiNotFoundResponse({ description: 'No such order.' })
  events(@Param('id', OrderIdPipe) id: string) {
    return this.orders.events(id);
  }

  @Get(':id/describe')
  @ApiOperation({ summary: 'Temporal view: execution status, pending activities, children, history length' })
  @ApiNotFoundResponse({ description: 'No such order.' })
  describe(@Param('id', OrderIdPipe) id: string) {
    return this.orders.describe(id);
  }
}
