import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORDER_STATES } from '@order-fulfillment/contracts';
import type { OrderState } from '@order-fulfillment/contracts';

export class OrderCreatedDto {
  @ApiProperty({ example: 'order-123' })
  orderId!: string;

  @ApiProperty({ example: 'order-order-123' })
  workflowId!: string;

  @ApiProperty({ example: '0198f1c2-0c5e-7d4e-9a51-3f1f0e8c2b11' })
  runId!: string;

  @ApiProperty({ enum: ORDER_STATES, example: 'received' })
  state!: OrderState;
}

export class MessageAcceptedDto {
  @ApiProperty({ example: true })
  accepted!: true;

  @ApiProperty({ enum: ORDER_STATES, example: 'in_review', description: 'The order state when the message was accepted.' })
  state!: OrderState;
}

export class OrderSummaryDto {
  @ApiProperty({ example: 'order-123' })
  orderId!: string;

  @ApiProperty({ enum: ORDER_STATES })
  state!: OrderState;

  @ApiProperty({ example: 'pmt-123' })
  paymentId!: string;

  @ApiProperty({ example: [{ sku: 'ABC', qty: 1 }] })
  items!: object[];

  @ApiPropertyOptional({ nullable: true, example: { street: '456 New St', city: 'New City' } })
  address!: object | null;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty()
  updatedAt!: string;
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderSummaryDto] })
  orders!: OrderSummaryDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}
