import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'items.0.qty' })
  field!: string;

  @ApiProperty({ example: 'qty must not be less than 1' })
  reason!: string;
}

/** The body of every error answer; never a stack trace. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'BAD_REQUEST' })
  error!: string;

  @ApiProperty({ example: 'validation failed' })
  message!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'On 400: each bad field and why.' })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ example: 'at_capacity', description: 'On a 503 from admission control: `at_capacity` (the system has its limit of orders in flight).' })
  reason?: string;

  @ApiPropertyOptional({ example: 3, description: 'On a 503 from admission control: the Retry-After header, in seconds.' })
  retryAfterSeconds?: number;
}
