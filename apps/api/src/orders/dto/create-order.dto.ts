import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateNested } from 'class-validator';
import { ID_PATTERN, LIMITS, RETRY_MODES } from '@order-fulfillment/contracts';
import type { RetryMode } from '@order-fulfillment/contracts';
import { AddressDto } from './address.dto';
import { FaultPlanDto } from './fault-plan.dto';
import { NotBlank } from './not-blank';

export const ID_RULE = 'must be 1-64 characters of letters, digits, ".", "_" or "-"';

/**
 * At most two decimal places. (class-validator's `maxDecimalPlaces` throws on
 * numbers written with an exponent, such as 5e-324: a 500 found by the fuzz test.)
 */
const IsCents = () =>
  ValidateBy({
    name: 'isCents',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(2)) === value,
      defaultMessage: (args) => `${args?.property ?? 'value'} must be a number with at most 2 decimal places`,
    },
  });

export class OrderItemDto {
  @ApiProperty({ example: 'ABC', maxLength: LIMITS.maxSkuLength })
  @IsString()
  @MinLength(1)
  @NotBlank()
  @MaxLength(LIMITS.maxSkuLength)
  sku!: string;

  @ApiProperty({ example: 1, minimum: 1, maximum: LIMITS.maxQty })
  @IsInt()
  @Min(1)
  @Max(LIMITS.maxQty)
  qty!: number;

  @ApiPropertyOptional({ example: 10, minimum: 0, description: 'Unit price; defaults to 10.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsCents()
  @Min(0)
  @Max(1_000_000)
  unitPrice?: number;
}

export class CreateOrderDto {
  @ApiProperty({ example: 'order-123', pattern: ID_PATTERN.source })
  @IsString()
  @Matches(ID_PATTERN, { message: ID_RULE })
  orderId!: string;

  @ApiProperty({ example: 'pmt-123', pattern: ID_PATTERN.source, description: 'Idempotency key of the charge.' })
  @IsString()
  @Matches(ID_PATTERN, { message: ID_RULE })
  paymentId!: string;

  @ApiPropertyOptional({
    type: [OrderItemDto],
    description: 'Defaults to one item ABC x 1.',
    minItems: 1,
    maxItems: LIMITS.maxItems,
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(LIMITS.maxItems)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items?: OrderItemDto[];

  @ApiPropertyOptional({ type: AddressDto, description: 'Where to ship; without one the parcel waits for pickup.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto;

  @ApiPropertyOptional({ type: FaultPlanDto, description: 'Chaos testing; refused unless the API allows fault injection.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FaultPlanDto)
  faults?: FaultPlanDto;

  @ApiPropertyOptional({
    enum: RETRY_MODES,
    description: "This order's retry mode instead of the API's RETRY_MODE (chaos testing: compare the modes on the same faults); refused unless the API allows fault injection.",
  })
  // Checked after class-validator by the shared retryModeProblems (ADR 026).
  @IsOptional()
  @Allow()
  retryMode?: RetryMode;
}
